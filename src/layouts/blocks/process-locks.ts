import { LOCK_EXCLUSIVE, LOCK_NONE, LOCK_RESERVED, LOCK_SHARED } from '../../vfs/main-file.js';

/**
 * SQLite's file locks among the connections of this process on one stored file, with the
 * semantics of SQLite's own VFSes: any number of SHARED, one RESERVED alongside them, and
 * EXCLUSIVE once the other SHARED locks are gone (a PENDING claim meanwhile keeps new readers
 * out). Nothing is locked between processes: the blocks layout has no place for locks, as
 * in sqlite-s3vfs; a single writer process is the caller's promise.
 */
export class ProcessLocks {
  private readonly shared = new Set<object>();
  private reserved: object | undefined;
  private pending: object | undefined;
  private exclusive: object | undefined;
  /** Counts the writes stored by connections of this process, so that the others notice. */
  writes = 0;

  /** Raise `owner`'s lock to `level`; false (SQLITE_BUSY) when another connection is in the way. */
  lock(owner: object, level: number): boolean {
    const other = (holder: object | undefined) => holder !== undefined && holder !== owner;
    if (level === LOCK_SHARED) {
      if (other(this.pending) || other(this.exclusive)) return false;
      this.shared.add(owner);
      return true;
    }
    if (level === LOCK_RESERVED) {
      if (other(this.reserved) || other(this.pending) || other(this.exclusive)) return false;
      this.reserved = owner;
      return true;
    }
    if (level === LOCK_EXCLUSIVE) {
      if (other(this.pending) || other(this.exclusive)) return false;
      if (other(this.reserved)) return false;
      this.pending = owner;
      if ([...this.shared].some((holder) => holder !== owner)) return false;
      this.pending = undefined;
      this.exclusive = owner;
      return true;
    }
    return true;
  }

  /** Lower `owner`'s lock to `level` (SHARED or NONE). */
  unlock(owner: object, level: number): void {
    if (this.reserved === owner) this.reserved = undefined;
    if (this.pending === owner) this.pending = undefined;
    if (this.exclusive === owner) this.exclusive = undefined;
    if (level === LOCK_NONE) this.shared.delete(owner);
  }

  /** Whether a connection other than `owner` holds RESERVED or more. */
  reservedByOther(owner: object): boolean {
    return [this.reserved, this.pending, this.exclusive].some(
      (holder) => holder !== undefined && holder !== owner,
    );
  }
}

/** The lock table of every stored file that connections of this process have open. */
const tables = new Map<string, { locks: ProcessLocks; users: number }>();

/** The lock table of the file `name` in `location`; {@link releaseLocks} when done with it. */
export function processLocks(location: string, name: string): ProcessLocks {
  const key = `${location}\n${name}`;
  let entry = tables.get(key);
  if (!entry) {
    entry = { locks: new ProcessLocks(), users: 0 };
    tables.set(key, entry);
  }
  entry.users += 1;
  return entry.locks;
}

/** Stop using a table from {@link processLocks}; the last user removes it. */
export function releaseLocks(location: string, name: string): void {
  const key = `${location}\n${name}`;
  const entry = tables.get(key);
  if (entry && --entry.users === 0) tables.delete(key);
}

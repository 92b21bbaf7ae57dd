import * as SQLite from '@journeyapps/wa-sqlite';
import type { Volume } from '../../volume/volume.js';
import {
  LOCK_NONE,
  LOCK_RESERVED,
  S3LITE_DEVICE_CHARACTERISTICS,
  type MainFile,
} from '../../vfs/main-file.js';
import { resultCodeFor } from '../../vfs/result-codes.js';
import { SnapshotJournal } from '../../vfs/snapshot-journal.js';

/** Where SQLite keeps the file change counter in the database header. */
const CHANGE_COUNTER_OFFSET = 24;

/**
 * The main database file of one connection, kept on that connection's {@link Volume}.
 *
 * Locks map to volume transactions: SHARED pins a snapshot (`beginRead`), RESERVED starts a
 * write transaction (`beginWrite`, `SQLITE_BUSY` at once when the snapshot is stale), and the
 * drop below RESERVED ends it.
 *
 * A transaction becomes visible at exactly one commit point, whichever path SQLite takes:
 * `COMMIT_ATOMIC_WRITE` on the batch-atomic path, otherwise `SQLITE_FCNTL_SYNC` — which SQLite
 * sends right before syncing the database file, and in place of the sync under
 * `synchronous=OFF` — or `xSync`. Pages written before that (a cache spill) stay invisible.
 *
 * SQLite sends the same sync when it rolls back a spilled transaction, after writing the
 * original pages back from its journal; committing then would add a commit that changes
 * nothing (and could even lose a race for nothing). The two are told apart by the file
 * change counter in the database header: every commit in rollback-journal mode writes page 1
 * with the counter incremented, while a rollback restores page 1 (or never wrote it). So at
 * a commit point the volume commits only if the counter differs from the snapshot's, and
 * otherwise discards the transaction. `locking_mode=EXCLUSIVE`, where SQLite increments the
 * counter only once per lock, is refused by the VFS for this reason.
 *
 * After a commit fails (lost race, store error), the transaction is dead: its later writes
 * (SQLite rewriting pages, or playing back its journal) are ignored and every later commit
 * point answers the same failure, until the lock drops.
 */
export class VolumeFile implements MainFile {
  /** Whether SQLite has this file open: one handle at a time. */
  isOpen = false;
  readonly deviceCharacteristics = S3LITE_DEVICE_CHARACTERISTICS;
  private lockLevel = LOCK_NONE;
  /** Change counter of the snapshot the write transaction started on; absent for a new database. */
  private baseCounter: Uint8Array | undefined;
  /** The result code of the failure that killed the current write transaction. */
  private failure: number | undefined;
  /** The database size the last commit was given: SQLite's trim to it afterwards is done. */
  private committedSize: number | undefined;
  private error: unknown;

  constructor(readonly volume: Volume) {}

  /**
   * The first JavaScript error behind a failed file operation since {@link clearError}: the
   * connection rethrows it (typed, with its message) instead of a bare SQLite result code.
   */
  get lastError(): unknown {
    return this.error;
  }

  clearError(): void {
    this.error = undefined;
  }

  /** The rollback journal keeps page images of the pinned commit as references to it. */
  createJournal(): SnapshotJournal {
    return new SnapshotJournal(this.volume);
  }

  get size(): number {
    return this.volume.size;
  }

  /** Fill `into` from `offset`; zeros and `SQLITE_IOERR_SHORT_READ` past the end of file. */
  async read(into: Uint8Array, offset: number): Promise<number> {
    try {
      const bytes = await this.volume.read(offset, into.byteLength);
      into.set(bytes);
      if (bytes.byteLength < into.byteLength) {
        into.fill(0, bytes.byteLength);
        return SQLite.SQLITE_IOERR_SHORT_READ;
      }
      return SQLite.SQLITE_OK;
    } catch (error) {
      this.record(error);
      return resultCodeFor(error, SQLite.SQLITE_IOERR_READ);
    }
  }

  async write(data: Uint8Array, offset: number): Promise<number> {
    if (this.failure !== undefined) return SQLite.SQLITE_OK;
    try {
      await this.volume.write(offset, data);
      return SQLite.SQLITE_OK;
    } catch (error) {
      return this.fail(error, SQLite.SQLITE_IOERR_WRITE);
    }
  }

  async truncate(size: number): Promise<number> {
    if (this.failure !== undefined) return SQLite.SQLITE_OK;
    // After a commit SQLite trims the file to the database size; the commit already did.
    if (!this.volume.inTransaction && size === this.committedSize) return SQLite.SQLITE_OK;
    try {
      await this.volume.truncate(size);
      return SQLite.SQLITE_OK;
    } catch (error) {
      return this.fail(error, SQLite.SQLITE_IOERR_TRUNCATE);
    }
  }

  async lock(level: number): Promise<number> {
    try {
      if (this.lockLevel === LOCK_NONE) await this.volume.beginRead();
      if (level >= LOCK_RESERVED && !this.volume.inTransaction && this.failure === undefined) {
        // Read before the transaction starts, so it is the snapshot's counter.
        this.baseCounter =
          this.volume.snapshot.pageCount > 0
            ? (await this.volume.read(CHANGE_COUNTER_OFFSET, 4)).slice()
            : undefined;
        await this.volume.beginWrite();
      }
      this.lockLevel = level;
      return SQLite.SQLITE_OK;
    } catch (error) {
      this.record(error);
      return resultCodeFor(error, SQLite.SQLITE_IOERR_LOCK);
    }
  }

  /**
   * Drop to `level`. Leaving RESERVED/EXCLUSIVE ends the write transaction: normally it was
   * settled at its commit point already; if SQLite never reached one, the same rule decides
   * here (commit if the change counter moved, as a last resort; discard otherwise, as after
   * `ROLLBACK` of a spilled transaction in `journal_mode=OFF`).
   */
  async unlock(level: number): Promise<number> {
    let code: number = SQLite.SQLITE_OK;
    if (level < LOCK_RESERVED) {
      if (this.failure === undefined && this.volume.inTransaction) {
        code = await this.settle(SQLite.SQLITE_IOERR_UNLOCK);
      }
      this.failure = undefined;
    }
    if (level === LOCK_NONE && this.lockLevel !== LOCK_NONE) this.volume.endRead();
    this.lockLevel = level;
    return code;
  }

  /** `xSync`: a commit point (see {@link commitPoint}). */
  sync(): Promise<number> {
    return this.commitPoint();
  }

  /** No lock is shared between connections: each writer's commit race decides. */
  reservedByOther(): boolean {
    return false;
  }

  async fileControl(op: number): Promise<number> {
    switch (op) {
      case SQLite.SQLITE_FCNTL_BEGIN_ATOMIC_WRITE:
        return SQLite.SQLITE_OK;
      case SQLite.SQLITE_FCNTL_COMMIT_ATOMIC_WRITE:
      case SQLite.SQLITE_FCNTL_SYNC:
        return this.commitPoint();
      case SQLite.SQLITE_FCNTL_ROLLBACK_ATOMIC_WRITE:
        return this.abandonBatch();
      default:
        return SQLite.SQLITE_NOTFOUND;
    }
  }

  /**
   * `locking_mode=EXCLUSIVE` is refused: SQLite would then hold its lock (and the snapshot)
   * forever and increment the change counter only once, which the commit rule relies on.
   */
  refusePragma(name: string, value: string): string | undefined {
    if (name !== 'locking_mode' || value !== 'exclusive') return undefined;
    return (
      's3lite does not support locking_mode=EXCLUSIVE: a connection must release its lock ' +
      'to see other writers’ commits'
    );
  }

  /** `COMMIT_ATOMIC_WRITE`, `SQLITE_FCNTL_SYNC` and `xSync`: where a transaction commits. */
  async commitPoint(): Promise<number> {
    if (this.failure !== undefined) return this.failure;
    if (!this.volume.inTransaction) return SQLite.SQLITE_OK;
    return this.settle(SQLite.SQLITE_IOERR_FSYNC);
  }

  /**
   * `ROLLBACK_ATOMIC_WRITE`: the batch failed. Its pages cannot be told apart from pages
   * spilled before it, so the whole transaction is abandoned (a failure inside the batch —
   * a write or the commit — has done that already).
   */
  async abandonBatch(): Promise<number> {
    if (this.failure === undefined && this.volume.inTransaction) {
      this.failure = SQLite.SQLITE_ABORT;
      await this.volume.rollback();
    }
    return SQLite.SQLITE_OK;
  }

  /** Commit the transaction if it is one SQLite is committing, discard it otherwise. */
  private async settle(ioerr: number): Promise<number> {
    try {
      if (!this.volume.hasChanges || !(await this.changeCounterMoved())) {
        await this.volume.rollback();
        return SQLite.SQLITE_OK;
      }
      this.committedSize = await this.volume.commitSqliteDatabase();
      return SQLite.SQLITE_OK;
    } catch (error) {
      return this.fail(error, ioerr);
    }
  }

  private async changeCounterMoved(): Promise<boolean> {
    if (!this.baseCounter) return this.volume.size > 0;
    const counter = await this.volume.read(CHANGE_COUNTER_OFFSET, 4);
    return counter.byteLength < 4 || counter.some((byte, i) => byte !== this.baseCounter?.[i]);
  }

  /** Kill the write transaction after `error`; answers the result code for it. */
  private async fail(error: unknown, ioerr: number): Promise<number> {
    this.record(error);
    this.failure = resultCodeFor(error, ioerr);
    if (this.volume.inTransaction) await this.volume.rollback();
    return this.failure;
  }

  private record(error: unknown): void {
    this.error ??= error;
  }
}

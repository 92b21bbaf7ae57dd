import * as SQLite from '@journeyapps/wa-sqlite';
import { ReadOnlyError } from '../errors.js';
import type { ObjectFile } from '../layouts/object-file.js';
import { FileErrors } from './file-errors.js';
import { LOCK_NONE, LOCK_SHARED, type MainFile } from './main-file.js';

/**
 * The main database file of a connection to a plain .sqlite object, read-only. Each read
 * transaction reads one version of the object: taking the lock checks (one HEAD) whether the
 * object was replaced, and moves to the new version if so; a replacement during the
 * transaction makes reads of pages not cached yet fail with `ConflictError`, never return
 * pages of another version. Right after opening, the first read transaction needs no check.
 */
export class ObjectMainFile implements MainFile {
  isOpen = false;
  readonly deviceCharacteristics = 0;
  private readonly errors = new FileErrors();
  private lockLevel = LOCK_NONE;
  private fresh = true;

  constructor(readonly object: ObjectFile) {}

  get lastError(): unknown {
    return this.errors.lastError;
  }

  clearError(): void {
    this.errors.clearError();
  }

  get size(): number {
    return this.object.size;
  }

  read(into: Uint8Array, offset: number): Promise<number> {
    return this.errors.read(into, (length) => this.object.read(offset, length));
  }

  async write(): Promise<number> {
    return this.errors.fail(this.readOnly(), SQLite.SQLITE_READONLY);
  }

  async truncate(): Promise<number> {
    return this.errors.fail(this.readOnly(), SQLite.SQLITE_READONLY);
  }

  async sync(): Promise<number> {
    return SQLite.SQLITE_OK;
  }

  async lock(level: number): Promise<number> {
    try {
      if (this.lockLevel === LOCK_NONE) {
        if (!this.fresh) await this.object.refresh();
        this.fresh = false;
        this.lockLevel = LOCK_SHARED;
      }
      if (level > LOCK_SHARED) throw this.readOnly();
      return SQLite.SQLITE_OK;
    } catch (error) {
      return this.errors.fail(error, SQLite.SQLITE_IOERR_LOCK);
    }
  }

  async unlock(level: number): Promise<number> {
    if (level === LOCK_NONE) this.object.endRead();
    this.lockLevel = Math.min(this.lockLevel, level);
    return SQLite.SQLITE_OK;
  }

  reservedByOther(): boolean {
    return false;
  }

  async fileControl(): Promise<number> {
    return SQLite.SQLITE_NOTFOUND;
  }

  refusePragma(): undefined {
    return undefined;
  }

  private readOnly(): ReadOnlyError {
    return new ReadOnlyError(
      `"${this.object.key}" in ${this.object.store.location} is a plain SQLite object, opened ` +
        'read-only in place; import it (s3lite import) to write',
    );
  }
}

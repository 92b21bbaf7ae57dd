import * as SQLite from '@journeyapps/wa-sqlite';
import type { ObjectFile } from './object-file.js';
import { LOCK_NONE, LOCK_SHARED } from '../../vfs/main-file.js';
import { ViewFile } from '../../vfs/view-file.js';

/**
 * The main database file of a connection to a plain .sqlite object, read-only. Each read
 * transaction reads one version of the object: taking the lock checks (one HEAD) whether the
 * object was replaced, and moves to the new version if so; a replacement during the
 * transaction makes reads of pages not cached yet fail with `ConflictError`, never return
 * pages of another version. Right after opening, the first read transaction needs no check.
 */
export class ObjectMainFile extends ViewFile {
  private lockLevel = LOCK_NONE;
  private fresh = true;

  constructor(readonly object: ObjectFile) {
    super(
      object,
      `"${object.key}" in ${object.store.location} is a plain SQLite object, opened ` +
        'read-only in place; import it (s3lite import) to write',
    );
  }

  override async lock(level: number): Promise<number> {
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

  override async unlock(level: number): Promise<number> {
    if (level === LOCK_NONE) this.object.endRead();
    this.lockLevel = Math.min(this.lockLevel, level);
    return SQLite.SQLITE_OK;
  }
}

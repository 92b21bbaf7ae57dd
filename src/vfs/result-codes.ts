import * as SQLite from '@journeyapps/wa-sqlite';
import { ConflictError, CorruptError, ReadOnlyError } from '../errors.js';

/**
 * The SQLite result code a VFS method answers for a JavaScript error. Errors with a meaning
 * of their own keep it: a lost commit race is `SQLITE_BUSY` (never an IOERR: SQLite answers
 * an IOERR from COMMIT_ATOMIC_WRITE by rewriting the pages non-atomically through a journal),
 * corruption is `SQLITE_CORRUPT`, a write to a read-only volume `SQLITE_READONLY`. Anything
 * else is the IOERR variant `ioerr` of the failing operation.
 */
export function resultCodeFor(error: unknown, ioerr: number): number {
  if (error instanceof ConflictError) return SQLite.SQLITE_BUSY;
  if (error instanceof CorruptError) return SQLite.SQLITE_CORRUPT;
  if (error instanceof ReadOnlyError) return SQLite.SQLITE_READONLY;
  return ioerr;
}

import * as SQLite from '@journeyapps/wa-sqlite';
import { SQLiteError } from '@journeyapps/wa-sqlite';
import { ConflictError, S3liteError, SqliteError } from '../errors.js';

/**
 * SQLite result codes (primary) that a VFS failure produces. For these the JavaScript error
 * the VFS recorded is the real cause and is thrown as it is (typed, message naming the key or
 * the endpoint); for other codes SQLite's own error stands.
 */
const IO_CODES = new Set<number>([
  SQLite.SQLITE_IOERR,
  SQLite.SQLITE_BUSY,
  SQLite.SQLITE_CORRUPT,
  SQLite.SQLITE_READONLY,
  SQLite.SQLITE_CANTOPEN,
  SQLite.SQLITE_ABORT,
]);

/** Longest piece of a statement quoted in an error message (the full text is in `sql`). */
const QUOTED_SQL_MAX = 200;

/**
 * The error to throw for `error`, raised while running `sql` (empty: while opening), given what the VFS recorded
 * meanwhile (`vfsError`). A lost commit race always becomes a `ConflictError`.
 */
export function toS3liteError(
  error: unknown,
  sql: string,
  vfsError: unknown,
  database: string,
): unknown {
  if (error instanceof S3liteError) return error;
  if (!(error instanceof SQLiteError)) return error;
  const code = Number(error.code);
  if (IO_CODES.has(code & 0xff) && vfsError instanceof S3liteError) return vfsError;
  if ((code & 0xff) === SQLite.SQLITE_BUSY) {
    return new ConflictError(`${database}: another writer committed first (${error.message})`, {
      cause: vfsError ?? error,
    });
  }
  const quoted = sql.length > QUOTED_SQL_MAX ? `${sql.slice(0, QUOTED_SQL_MAX)}…` : sql;
  // No statement: SQLite failed while opening the database.
  const where = sql === '' ? `opening ${database}` : quoted.trim();
  return new SqliteError(`${error.message} — in: ${where}`, code, sql || undefined, {
    cause: vfsError ?? error,
  });
}

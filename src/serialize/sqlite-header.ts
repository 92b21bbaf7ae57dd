import { NotADatabaseError } from '../errors.js';
import {
  hasSqliteHeader,
  headerDatabaseSize,
  headerPageSize,
  isWalHeader,
  rawHeaderPageSize,
} from '../format/sqlite-header.js';

/** What the header of a database file says about its size and mode. */
export interface SqliteHeader {
  pageSize: number;
  /**
   * Pages in the database according to the header, or undefined when the header's count is
   * not valid (written by a SQLite older than 3.7.0): then the file's length decides.
   */
  pageCount: number | undefined;
  /** The file is in WAL mode (read and write versions 2). */
  wal: boolean;
}

/** Check and read the first 100 bytes of a file to import; `source` names it in errors. */
export function parseHeader(header: Uint8Array, source: string): SqliteHeader {
  if (header.byteLength === 0)
    throw new NotADatabaseError(`${source} is empty, not a SQLite database`);
  if (!hasSqliteHeader(header)) {
    throw new NotADatabaseError(`${source} is not a SQLite database (no "SQLite format 3" header)`);
  }
  const pageSize = headerPageSize(header);
  if (pageSize === undefined) {
    throw new NotADatabaseError(
      `${source} has an invalid page size in its header (${rawHeaderPageSize(header)})`,
    );
  }
  const size = headerDatabaseSize(header);
  return {
    pageSize,
    pageCount: size === undefined ? undefined : size / pageSize,
    wal: isWalHeader(header),
  };
}

import { NotADatabaseError } from '../errors.js';
import { isValidPageSize } from '../format/index.js';

/** Bytes of the database header at the start of page 1. */
export const HEADER_BYTES = 100;
const MAGIC = 'SQLite format 3\0';
/** Header fields (offsets from https://sqlite.org/fileformat.html#the_database_header). */
const PAGE_SIZE = 16;
const WRITE_VERSION = 18;
const READ_VERSION = 19;
const CHANGE_COUNTER = 24;
const PAGE_COUNT = 28;
const VERSION_VALID_FOR = 92;
const WAL = 2;
const LEGACY = 1;

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

/** Check and read the first 100 bytes of a database file; `source` names it in errors. */
export function parseHeader(header: Uint8Array, source: string): SqliteHeader {
  if (header.byteLength === 0)
    throw new NotADatabaseError(`${source} is empty, not a SQLite database`);
  const magic = new TextDecoder('latin1').decode(header.subarray(0, MAGIC.length));
  if (header.byteLength < HEADER_BYTES || magic !== MAGIC) {
    throw new NotADatabaseError(`${source} is not a SQLite database (no "SQLite format 3" header)`);
  }
  const view = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
  const raw = view.getUint16(PAGE_SIZE);
  const pageSize = raw === 1 ? 65536 : raw;
  if (!isValidPageSize(pageSize)) {
    throw new NotADatabaseError(`${source} has an invalid page size in its header (${raw})`);
  }
  const count = view.getUint32(PAGE_COUNT);
  const countValid =
    count > 0 && view.getUint32(VERSION_VALID_FOR) === view.getUint32(CHANGE_COUNTER);
  return {
    pageSize,
    pageCount: countValid ? count : undefined,
    wal: header[WRITE_VERSION] === WAL || header[READ_VERSION] === WAL,
  };
}

/**
 * Mark page 1 as a rollback-journal database. s3lite has no WAL (a VFS without shared
 * memory), and SQLite refuses to open a WAL-mode file on such a VFS.
 */
export function toRollbackMode(page1: Uint8Array): void {
  page1[WRITE_VERSION] = LEGACY;
  page1[READ_VERSION] = LEGACY;
}

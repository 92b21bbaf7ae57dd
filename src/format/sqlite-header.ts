import { CorruptError } from '../errors.js';
import { commitKey } from './keys.js';

/**
 * The few fields of a SQLite database header that s3lite reads, leniently: a file that is not
 * a database (yet) just has no hint. See https://sqlite.org/fileformat.html.
 */

const MAGIC = 'SQLite format 3\0';
/** Bytes of the database header at the start of page 1. */
export const HEADER_BYTES = 100;
const PAGE_SIZE = 16;
const WRITE_VERSION = 18;
const READ_VERSION = 19;
const CHANGE_COUNTER = 24;
const PAGE_COUNT = 28;
const VERSION_VALID_FOR = 92;
const ROLLBACK_MODE = 1;
const WAL_MODE = 2;

/** Whether `bytes` starts with a SQLite header. */
export function hasSqliteHeader(bytes: Uint8Array): boolean {
  return (
    bytes.byteLength >= HEADER_BYTES &&
    new TextDecoder('latin1').decode(bytes.subarray(0, MAGIC.length)) === MAGIC
  );
}

/** The page-size field exactly as stored (1 stands for 65536), for messages. */
export function rawHeaderPageSize(bytes: Uint8Array): number {
  return view(bytes).getUint16(PAGE_SIZE);
}

/** The page size a header gives, or undefined when `bytes` holds no valid header. */
export function headerPageSize(bytes: Uint8Array): number | undefined {
  if (!hasSqliteHeader(bytes)) return undefined;
  const raw = rawHeaderPageSize(bytes);
  const pageSize = raw === 1 ? 65536 : raw;
  return pageSize >= 512 && (pageSize & (pageSize - 1)) === 0 ? pageSize : undefined;
}

/** Whether the header marks a WAL-mode database (read or write version 2). */
export function isWalHeader(bytes: Uint8Array): boolean {
  return bytes[WRITE_VERSION] === WAL_MODE || bytes[READ_VERSION] === WAL_MODE;
}

/**
 * Mark page 1 as a rollback-journal database, in place. s3lite has no WAL (a VFS without
 * shared memory), and SQLite refuses to open a WAL-mode file on such a VFS.
 */
export function toRollbackMode(page1: Uint8Array): void {
  page1[WRITE_VERSION] = ROLLBACK_MODE;
  page1[READ_VERSION] = ROLLBACK_MODE;
}

/**
 * The database size in bytes that the header gives (page count × page size), or undefined
 * when the header has none: no header, or a page count that is not valid because it was not
 * written by the SQLite that last changed the file (SQLite < 3.7.0 leaves it stale).
 */
export function headerDatabaseSize(bytes: Uint8Array): number | undefined {
  const pageSize = headerPageSize(bytes);
  if (pageSize === undefined) return undefined;
  const header = view(bytes);
  const count = header.getUint32(PAGE_COUNT);
  const valid =
    count > 0 && header.getUint32(VERSION_VALID_FOR) === header.getUint32(CHANGE_COUNTER);
  return valid ? count * pageSize : undefined;
}

/**
 * Page 1 of a read-only file as SQLite is to see it: in rollback mode (a WAL-mode file cannot
 * be opened on a VFS without shared memory; a read-only reader needs neither its WAL nor its
 * mode), and with a change counter unique to `version`, so that SQLite drops the pages it
 * cached from an earlier version of the file even when both carry the same counter. The
 * version-valid-for field follows the counter so that the header's page count stays valid.
 * Returns a copy; `page` is not changed.
 */
export function presentPage1(page: Uint8Array, version: number): Uint8Array {
  const copy = page.slice();
  if (!hasSqliteHeader(copy)) return copy;
  if (isWalHeader(copy)) toRollbackMode(copy);
  const header = view(copy);
  const countValid = header.getUint32(VERSION_VALID_FOR) === header.getUint32(CHANGE_COUNTER);
  header.setUint32(CHANGE_COUNTER, version);
  if (countValid) header.setUint32(VERSION_VALID_FOR, version);
  return copy;
}

/**
 * `CorruptError` when a commit's size disagrees with the size SQLite wrote into its page 1: a
 * forged commit record (valid checksum, page count of 2^31) would otherwise make an export
 * write terabytes of zeros, and `info` report them. SQLite keeps the two equal at every commit; a header whose count
 * is not valid (SQLite < 3.7.0) proves nothing and is let through.
 */
export function checkSizeAgainstHeader(
  prefix: string,
  seq: number,
  size: number,
  page1: Uint8Array,
): void {
  const headerSize = headerDatabaseSize(page1);
  if (headerSize !== undefined && headerSize !== size) {
    throw new CorruptError(
      commitKey(prefix, seq),
      `the commit says the database holds ${size} bytes, but its page 1 says ${headerSize}`,
    );
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Bounds on the numbers that objects in a bucket carry. Anyone with write access to a bucket
 * can forge an object with a valid checksum, so decoders check every number against these
 * before anything is allocated, looped over or written from it.
 */

/**
 * The most pages a database can have: SQLite's own hard limit (`SQLITE_MAX_PAGE_COUNT` of the
 * bundled build, 0xfffffffe). With the largest page size (65536) that is SQLite's maximum
 * database size of about 281 TB, so no real database exceeds it.
 */
export const MAX_PAGE_COUNT = 0xfffffffe;

/** The largest sequence number a key can name (they are written with 12 digits). */
export const MAX_SEQ = 999_999_999_999;

/** A commit or checkpoint sequence number: a whole number from `min` to the largest a key holds. */
export function isSeq(value: unknown, min = 1): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= MAX_SEQ;
}

/** A page count SQLite can reach. */
export function isPageCount(value: unknown): value is number {
  return (
    Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_PAGE_COUNT
  );
}

/** A CRC-32 as stored: an unsigned 32-bit whole number. */
export function isUint32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;
}

/** A transaction id: 16 lowercase hexadecimal digits. */
export function isTxid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{16}$/.test(value);
}

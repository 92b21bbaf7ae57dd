import { CorruptError, FormatVersionError } from '../errors.js';
import { checksum } from './checksum.js';
import { seqOfKey } from './keys.js';
import { isPageCount, isSeq, isTxid, isUint32 } from './limits.js';
import { FORMAT_VERSION, isValidPageSize } from './version.js';

/**
 * Longest turn a record may reserve, in ms: a forged or mistaken record can make other writers
 * wait no longer than this.
 */
export const MAX_TURN_MS = 10_000;

/** One committed transaction, as stored at `commits/<seq>`. */
export interface CommitRecord {
  seq: number;
  /** Random id of the transaction that made this commit; its page keys contain it. */
  txid: string;
  /** Epoch milliseconds. */
  time: number;
  pageSize: number;
  pageCount: number;
  /** Sequence number of the newest checkpoint that existed when this commit was made. */
  checkpoint: number;
  /** The pages this commit wrote, `[page number, CRC-32]`, ascending by page number. */
  pages: Array<[number, number]>;
  /**
   * Made by garbage collection, not by a transaction: a commit that changes nothing, so that
   * every transaction begun before it loses its race (see docs/FORMAT.md, "Fences").
   */
  fence?: boolean;
  /**
   * Made by a writer that kept losing commit races, not by a transaction: a commit that
   * changes nothing and reserves the next commit for its maker. Other writers leave the next
   * commit to it for this many milliseconds after they see this record (see docs/FORMAT.md,
   * "Turns").
   */
  turn?: number;
}

/** JSON body plus a trailing line with its CRC-32, so a torn record is never mistaken for one. */
export function encodeCommitRecord(record: CommitRecord): Uint8Array {
  const body = JSON.stringify({ v: FORMAT_VERSION, ...record });
  const bytes = new TextEncoder().encode(body);
  return new TextEncoder().encode(`${body}\n${checksum(bytes).toString(16)}\n`);
}

export function decodeCommitRecord(key: string, bytes: Uint8Array): CommitRecord {
  const text = new TextDecoder().decode(bytes);
  const [body, crc] = text.split('\n');
  if (
    body === undefined ||
    crc === undefined ||
    parseInt(crc, 16) !== checksum(new TextEncoder().encode(body))
  ) {
    throw new CorruptError(key, 'commit record fails its checksum');
  }
  let value: CommitRecord & { v?: number };
  try {
    value = JSON.parse(body) as CommitRecord & { v?: number };
  } catch (error) {
    throw new CorruptError(key, 'commit record is not JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null) {
    throw new CorruptError(key, 'commit record is not a JSON object');
  }
  if (typeof value.v !== 'number' || value.v > FORMAT_VERSION) {
    throw new FormatVersionError(
      `commit record "${key}" has format version ${value.v}, newer than ${FORMAT_VERSION}: upgrade s3lite`,
    );
  }
  const problem = commitRecordProblem(key, value);
  if (problem) throw new CorruptError(key, `commit record ${problem}`);
  const { v: _version, ...record } = value;
  return record;
}

/**
 * What is wrong with a decoded record's fields, or undefined. The checksum only proves that
 * the record is whole; a forged one may still carry any JSON, so every field is checked
 * before a page map is sized, a page is looked up or a size is reported from it.
 */
function commitRecordProblem(key: string, value: Partial<CommitRecord>): string | undefined {
  const { seq, txid, time, pageSize, pageCount, checkpoint, pages, turn } = value;
  if (!isSeq(seq)) return `has an invalid sequence number (${String(seq)})`;
  if (seq !== seqOfKey(key)) return `holds commit ${seq}, not the one its key names`;
  if (!isTxid(txid)) return 'has an invalid transaction id';
  if (!Number.isSafeInteger(time) || (time as number) < 0) return 'has an invalid time';
  if (!isPageCount(pageCount)) return `has an invalid page count (${String(pageCount)})`;
  if (!(pageSize === 0 && pageCount === 0) && !isValidPageSize(pageSize as number)) {
    return `has an invalid page size (${String(pageSize)})`;
  }
  if (!isSeq(checkpoint, 0) || checkpoint >= seq) {
    return `names checkpoint ${String(checkpoint)}, which is not before commit ${seq}`;
  }
  if (turn !== undefined && !(isUint32(turn) && turn <= MAX_TURN_MS)) {
    return `has an invalid turn (${String(turn)} ms)`;
  }
  if (!Array.isArray(pages)) return 'has no list of pages';
  let previous = 0;
  for (const entry of pages as unknown[]) {
    const [pageNo, crc] = Array.isArray(entry) && entry.length === 2 ? entry : [];
    if (!Number.isSafeInteger(pageNo) || !isUint32(crc)) return 'has an invalid page entry';
    if (pageNo <= previous || pageNo > pageCount) {
      return `lists page ${pageNo} out of order or beyond its ${pageCount} pages`;
    }
    previous = pageNo;
  }
  return undefined;
}

import { CorruptError, FormatVersionError } from '../errors.js';
import { checksum } from './checksum.js';
import { FORMAT_VERSION, isValidPageSize } from './version.js';

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
  if (typeof value.v !== 'number' || value.v > FORMAT_VERSION) {
    throw new FormatVersionError(
      `commit record "${key}" has format version ${value.v}, newer than ${FORMAT_VERSION}: upgrade s3lite`,
    );
  }
  const valid =
    Number.isSafeInteger(value.seq) &&
    typeof value.txid === 'string' &&
    /^[0-9a-f]{16}$/.test(value.txid) &&
    (value.pageCount === 0 || isValidPageSize(value.pageSize)) &&
    Number.isSafeInteger(value.pageCount) &&
    Array.isArray(value.pages);
  if (!valid) throw new CorruptError(key, 'commit record has missing or invalid fields');
  const { v: _version, ...record } = value;
  return record;
}

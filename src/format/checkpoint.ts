import { createInflateRaw, deflateRawSync } from 'node:zlib';
import { CorruptError, FormatVersionError } from '../errors.js';
import { checksum } from './checksum.js';
import { PageMap } from './page-map.js';
import { seqOfKey } from './keys.js';
import { isPageCount, isSeq, isTxid } from './limits.js';
import { FORMAT_VERSION, isValidPageSize } from './version.js';

const MAGIC = 0x53334c43; // "S3LC"

interface CheckpointHeader {
  v: number;
  seq: number;
  pageSize: number;
  pageCount: number;
  txids: string[];
}

/** A checkpoint: the whole page map as of commit `seq`. */
export interface Checkpoint {
  seq: number;
  map: PageMap;
}

/**
 * Binary layout: magic (4 bytes), CRC-32 of the rest (4), then raw-deflated
 * [header length (4)][header JSON][page → txid index, u32 × pageCount][page CRC, u32 × pageCount],
 * all little-endian. Pages written by one commit share a txid index, so the map compresses well.
 */
export function encodeCheckpoint(seq: number, map: PageMap): Uint8Array {
  const { txidIndex, crcs, txids } = map.compactArrays();
  const header: CheckpointHeader = {
    v: FORMAT_VERSION,
    seq,
    pageSize: map.pageSize,
    pageCount: map.pageCount,
    txids,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const payload = Buffer.alloc(4 + headerBytes.byteLength + 8 * map.pageCount);
  payload.writeUInt32LE(headerBytes.byteLength, 0);
  payload.set(headerBytes, 4);
  const arraysAt = 4 + headerBytes.byteLength;
  payload.set(toLittleEndianBytes(txidIndex), arraysAt);
  payload.set(toLittleEndianBytes(crcs), arraysAt + 4 * map.pageCount);
  const compressed = deflateRawSync(payload);
  const out = Buffer.alloc(8 + compressed.byteLength);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(checksum(compressed), 4);
  out.set(compressed, 8);
  return out;
}

/**
 * Decode a checkpoint read from the bucket. Its size is checked before anything is allocated
 * from it: the payload is inflated as a stream, the header first, and the header's page count
 * must be one SQLite can reach and one the compressed bytes can hold (deflate expands at most
 * {@link DEFLATE_MAX_RATIO}-fold); inflating stops, as corruption, at the size it declares.
 */
export async function decodeCheckpoint(key: string, bytes: Uint8Array): Promise<Checkpoint> {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.byteLength < 8 || data.readUInt32LE(0) !== MAGIC) {
    throw new CorruptError(key, 'not a checkpoint (bad magic number)');
  }
  const compressed = data.subarray(8);
  if (data.readUInt32LE(4) !== checksum(compressed)) {
    throw new CorruptError(key, 'checkpoint fails its checksum');
  }
  const { header, arrays } = await inflatePayload(key, compressed);
  const { seq, pageSize, pageCount: n, txids } = header;
  const txidIndex = fromLittleEndianBytes(arrays.subarray(0, 4 * n));
  const crcs = fromLittleEndianBytes(arrays.subarray(4 * n));
  const unknown = txidIndex.findIndex((index) => index >= txids.length);
  if (unknown >= 0) {
    throw new CorruptError(key, `checkpoint maps page ${unknown + 1} to no known transaction`);
  }
  return { seq, map: PageMap.fromArrays(pageSize, n, txidIndex, crcs, txids) };
}

/**
 * The most bytes deflate can expand one compressed byte to: a length-258 match coded in two
 * bits. No checkpoint's payload can be larger than this many times its compressed size.
 */
const DEFLATE_MAX_RATIO = 1032;

/**
 * Inflate a checkpoint's payload: the header, checked (see {@link headerProblem}), and then
 * exactly the `8 × pageCount` bytes of page map it declares, into one buffer of that size.
 */
async function inflatePayload(
  key: string,
  compressed: Buffer,
): Promise<{ header: CheckpointHeader; arrays: Buffer }> {
  const most = DEFLATE_MAX_RATIO * compressed.byteLength;
  const inflate = createInflateRaw();
  inflate.end(compressed);
  let head = Buffer.alloc(0);
  let header: CheckpointHeader | undefined;
  let arrays = Buffer.alloc(0);
  let filled = 0;
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      let rest = chunk;
      if (!header) {
        head = Buffer.concat([head, rest]);
        if (head.byteLength < 4) continue;
        const arraysAt = 4 + head.readUInt32LE(0);
        if (arraysAt > most) throw new CorruptError(key, 'checkpoint header length is invalid');
        if (head.byteLength < arraysAt) continue;
        header = parseHeader(key, head.subarray(4, arraysAt));
        const size = 8 * header.pageCount;
        if (arraysAt + size > most) {
          throw new CorruptError(
            key,
            `checkpoint declares ${header.pageCount} pages (${size} bytes of page map), more ` +
              `than its ${compressed.byteLength} compressed bytes can hold`,
          );
        }
        arrays = Buffer.alloc(size);
        rest = head.subarray(arraysAt);
      }
      if (filled + rest.byteLength > arrays.byteLength) {
        throw new CorruptError(
          key,
          `checkpoint inflates past the ${arrays.byteLength} bytes of page map its header declares`,
        );
      }
      arrays.set(rest, filled);
      filled += rest.byteLength;
    }
  } catch (error) {
    inflate.destroy();
    if (error instanceof CorruptError || error instanceof FormatVersionError) throw error;
    throw new CorruptError(key, 'checkpoint cannot be decoded', { cause: error });
  }
  if (!header) throw new CorruptError(key, 'checkpoint cannot be decoded (no header)');
  if (filled !== arrays.byteLength) {
    throw new CorruptError(
      key,
      `checkpoint holds ${filled} bytes of page map, expected ${arrays.byteLength}`,
    );
  }
  return { header, arrays };
}

/** The checkpoint's header JSON, checked: its page map is sized from it. */
function parseHeader(key: string, bytes: Buffer): CheckpointHeader {
  let header: Partial<CheckpointHeader>;
  try {
    header = JSON.parse(bytes.toString('utf8')) as Partial<CheckpointHeader>;
  } catch (error) {
    throw new CorruptError(key, 'checkpoint cannot be decoded', { cause: error });
  }
  if (typeof header !== 'object' || header === null) {
    throw new CorruptError(key, 'checkpoint header is not a JSON object');
  }
  if (typeof header.v !== 'number' || header.v > FORMAT_VERSION) {
    throw new FormatVersionError(
      `checkpoint "${key}" has format version ${header.v}, newer than ${FORMAT_VERSION}: upgrade s3lite`,
    );
  }
  const problem = headerProblem(key, header);
  if (problem) throw new CorruptError(key, `checkpoint ${problem}`);
  return header as CheckpointHeader;
}

/**
 * What is wrong with a checkpoint's header, or undefined. Its checksum only proves that it is
 * whole: a forged one may carry anything, and the page map is sized from it.
 */
function headerProblem(key: string, header: Partial<CheckpointHeader>): string | undefined {
  const { seq, pageSize, pageCount, txids } = header;
  if (!isSeq(seq) || seq !== seqOfKey(key)) {
    return `holds sequence number ${String(seq)}, not the one its key names`;
  }
  if (!isPageCount(pageCount)) return `has an invalid page count (${String(pageCount)})`;
  if (!(pageSize === 0 && pageCount === 0) && !isValidPageSize(pageSize as number)) {
    return `has an invalid page size (${String(pageSize)})`;
  }
  // Entry 0 stands for "never written" (see PageMap).
  if (!Array.isArray(txids) || txids[0] !== '' || !txids.slice(1).every(isTxid)) {
    return 'has an invalid table of transaction ids';
  }
  return undefined;
}

function toLittleEndianBytes(values: Uint32Array): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => out.writeUInt32LE(value, i * 4));
  return out;
}

function fromLittleEndianBytes(bytes: Buffer): Uint32Array {
  const out = new Uint32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt32LE(i * 4);
  return out;
}

/** The `latest-checkpoint` hint: where opening starts. May lag behind; never runs ahead. */
export function encodeCheckpointHint(seq: number): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify({ v: FORMAT_VERSION, seq })}\n`);
}

export function decodeCheckpointHint(key: string, bytes: Uint8Array): number {
  try {
    const { seq } = JSON.parse(new TextDecoder().decode(bytes)) as { seq?: unknown };
    if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) return seq;
  } catch (error) {
    throw new CorruptError(key, 'checkpoint hint is not JSON', { cause: error });
  }
  throw new CorruptError(key, 'checkpoint hint has no valid sequence number');
}

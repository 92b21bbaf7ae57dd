import { deflateRaw, inflateRaw, inflateRawPrefix, InflateLimitError } from '../platform/host.js';
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
  const payload = new Uint8Array(4 + headerBytes.byteLength + 8 * map.pageCount);
  view(payload).setUint32(0, headerBytes.byteLength, true);
  payload.set(headerBytes, 4);
  const arraysAt = 4 + headerBytes.byteLength;
  payload.set(toLittleEndianBytes(txidIndex), arraysAt);
  payload.set(toLittleEndianBytes(crcs), arraysAt + 4 * map.pageCount);
  const compressed = deflateRaw(payload);
  const out = new Uint8Array(8 + compressed.byteLength);
  view(out).setUint32(0, MAGIC, true);
  view(out).setUint32(4, checksum(compressed), true);
  out.set(compressed, 8);
  return out;
}

/**
 * Decode a checkpoint read from the bucket. Its size is checked before anything is allocated
 * from it: the header is inflated first, from the start of the stream, and its page count must
 * be one SQLite can reach and one the compressed bytes can hold (deflate expands at most
 * {@link DEFLATE_MAX_RATIO}-fold); the payload is then inflated with its declared size as the
 * limit, so a stream that inflates to more is corruption, found without inflating it all.
 * Synchronous on purpose: the simulation (test/sim) runs each step to quiescence.
 */
export function decodeCheckpoint(key: string, bytes: Uint8Array): Checkpoint {
  const data = view(bytes);
  if (data.byteLength < 8 || data.getUint32(0, true) !== MAGIC) {
    throw new CorruptError(key, 'not a checkpoint (bad magic number)');
  }
  const compressed = bytes.subarray(8);
  if (data.getUint32(4, true) !== checksum(compressed)) {
    throw new CorruptError(key, 'checkpoint fails its checksum');
  }
  const { header, arraysAt } = inflateHeader(key, compressed);
  const { seq, pageSize, pageCount: n, txids } = header;
  const size = arraysAt + 8 * n;
  if (size > DEFLATE_MAX_RATIO * compressed.byteLength) {
    throw new CorruptError(
      key,
      `checkpoint declares ${n} pages (${8 * n} bytes of page map), more than its ` +
        `${compressed.byteLength} compressed bytes can hold`,
    );
  }
  let payload: Uint8Array;
  try {
    payload = inflateRaw(compressed, size);
  } catch (error) {
    if (error instanceof InflateLimitError) {
      throw new CorruptError(
        key,
        `checkpoint inflates past the ${8 * n} bytes of page map its header declares`,
      );
    }
    throw new CorruptError(key, 'checkpoint cannot be decoded', { cause: error });
  }
  if (payload.byteLength !== size) {
    throw new CorruptError(
      key,
      `checkpoint holds ${payload.byteLength - arraysAt} bytes of page map, expected ${8 * n}`,
    );
  }
  const txidIndex = fromLittleEndianBytes(payload.subarray(arraysAt, arraysAt + 4 * n));
  const crcs = fromLittleEndianBytes(payload.subarray(arraysAt + 4 * n));
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

/** Compressed bytes inflated first when looking for the header; quadrupled until it is whole. */
const HEADER_PEEK_BYTES = 1024;

/**
 * The checkpoint's header, checked, and where the page map starts in the payload: inflated
 * from ever longer beginnings of the stream (each inflates to at most
 * {@link DEFLATE_MAX_RATIO} times its length) until the header is whole.
 */
function inflateHeader(
  key: string,
  compressed: Uint8Array,
): { header: CheckpointHeader; arraysAt: number } {
  for (let length = HEADER_PEEK_BYTES; ; length *= 4) {
    const whole = length >= compressed.byteLength;
    let head: Uint8Array;
    try {
      head = whole ? inflateRaw(compressed) : inflateRawPrefix(compressed.subarray(0, length));
    } catch (error) {
      throw new CorruptError(key, 'checkpoint cannot be decoded', { cause: error });
    }
    if (head.byteLength >= 4) {
      const arraysAt = 4 + view(head).getUint32(0, true);
      if (arraysAt > DEFLATE_MAX_RATIO * compressed.byteLength) {
        throw new CorruptError(key, 'checkpoint header is longer than its bytes can hold');
      }
      if (head.byteLength >= arraysAt) {
        return { header: parseHeader(key, head.subarray(4, arraysAt)), arraysAt };
      }
    }
    if (whole) throw new CorruptError(key, 'checkpoint cannot be decoded (its header is cut off)');
  }
}

/** The checkpoint's header JSON, checked: its page map is sized from it. */
function parseHeader(key: string, bytes: Uint8Array): CheckpointHeader {
  let header: Partial<CheckpointHeader>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes)) as Partial<CheckpointHeader>;
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

function toLittleEndianBytes(values: Uint32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const data = view(out);
  values.forEach((value, i) => data.setUint32(i * 4, value, true));
  return out;
}

function fromLittleEndianBytes(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.byteLength / 4);
  const data = view(bytes);
  for (let i = 0; i < out.length; i++) out[i] = data.getUint32(i * 4, true);
  return out;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

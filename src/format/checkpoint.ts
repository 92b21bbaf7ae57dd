import { deflateRaw, inflateRaw } from '../platform/host.js';
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

export function decodeCheckpoint(key: string, bytes: Uint8Array): Checkpoint {
  const data = view(bytes);
  if (data.byteLength < 8 || data.getUint32(0, true) !== MAGIC) {
    throw new CorruptError(key, 'not a checkpoint (bad magic number)');
  }
  const compressed = bytes.subarray(8);
  if (data.getUint32(4, true) !== checksum(compressed)) {
    throw new CorruptError(key, 'checkpoint fails its checksum');
  }
  let payload: Uint8Array;
  let header: Partial<CheckpointHeader>;
  let arraysAt: number;
  try {
    payload = inflateRaw(compressed);
    arraysAt = 4 + view(payload).getUint32(0, true);
    header = JSON.parse(
      new TextDecoder().decode(payload.subarray(4, arraysAt)),
    ) as CheckpointHeader;
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
  const { seq, pageSize, pageCount: n, txids } = header as CheckpointHeader;
  if (payload.byteLength !== arraysAt + 8 * n) {
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

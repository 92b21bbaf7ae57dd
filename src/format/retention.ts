import { CorruptError } from '../errors.js';
import { FORMAT_VERSION } from './version.js';

/**
 * The `oldest-retained` object: garbage collection writes it before deleting anything, naming
 * the oldest commit it keeps, at which a checkpoint exists. Commits before it may be gone.
 * Used to open past commits cheaply and to tell a collected commit from one that never
 * existed. It only ever rises (collections raise it with a conditional write), and may lag
 * behind the truth, never run ahead.
 */
export function encodeOldestRetained(seq: number): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify({ v: FORMAT_VERSION, seq })}\n`);
}

export function decodeOldestRetained(key: string, bytes: Uint8Array): number {
  let value: { seq?: unknown };
  try {
    value = JSON.parse(new TextDecoder().decode(bytes)) as { seq?: unknown };
  } catch (error) {
    throw new CorruptError(key, 'oldest-retained record is not JSON', { cause: error });
  }
  const seq = value?.seq;
  if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) return seq;
  throw new CorruptError(key, 'oldest-retained record has no valid sequence number');
}

/** The sequence number in a `commits/<seq>` or `checkpoints/<seq>` key's last segment. */
export function parseSeq(name: string): number | undefined {
  if (!/^\d{12}$/.test(name)) return undefined;
  return Number(name);
}

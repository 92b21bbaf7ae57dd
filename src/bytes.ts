/** Byte-array helpers that every runtime has (Node's Buffer is not in browsers or Workers). */

/** The arrays one after another, in a new array. */
export function concatBytes(arrays: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((total, array) => total + array.byteLength, 0));
  let offset = 0;
  for (const array of arrays) {
    out.set(array, offset);
    offset += array.byteLength;
  }
  return out;
}

/** Whether `a` and `b` hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, i) => byte === b[i]);
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Cut a byte stream into pieces of exactly `size` bytes (the last may be shorter), copying
 * only where a piece spans chunks.
 */
export async function* fixedSizePieces(
  chunks: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const want = size - pendingBytes;
      const take = Math.min(want, chunk.byteLength - offset);
      const part = chunk.subarray(offset, offset + take);
      offset += take;
      if (pendingBytes === 0 && take === want) {
        yield part.slice();
        continue;
      }
      pending.push(part.slice());
      pendingBytes += take;
      if (pendingBytes === size) {
        yield concatBytes(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield concatBytes(pending);
}

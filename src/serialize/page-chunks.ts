import { concatBytes } from '../bytes.js';

/**
 * The first `count` bytes of a stream (fewer if it is shorter), and the whole stream again,
 * those bytes included: for deciding how to read a stream from its start.
 */
export async function peek(
  chunks: AsyncIterable<Uint8Array>,
  count: number,
): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let seenBytes = 0;
  while (seenBytes < count) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
    seenBytes += next.value.byteLength;
  }
  const joined = concatBytes(seen);
  async function* all(): AsyncGenerator<Uint8Array> {
    if (joined.byteLength > 0) yield joined;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head: joined.subarray(0, count), all: all() };
}

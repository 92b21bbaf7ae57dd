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
        yield Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

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
  const joined = Buffer.concat(seen);
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

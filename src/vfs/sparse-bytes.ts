/** Bytes per chunk: small, so that a few bytes written far apart cost little. */
const CHUNK = 64;

/**
 * A file's bytes held in memory only where they were written, in small chunks; the rest read
 * as zeros. For a rollback journal whose page images are kept elsewhere (see SnapshotJournal),
 * it holds the header and the 8 bytes of page number and checksum around each image.
 */
export class SparseBytes {
  private readonly chunks = new Map<number, Uint8Array>();
  /** One past the last byte written (or the size set by truncate). */
  size = 0;

  /** Copy bytes at `offset` into `into` (zeros where nothing was written); returns how many. */
  read(into: Uint8Array, offset: number): number {
    const available = Math.max(0, Math.min(into.byteLength, this.size - offset));
    into.fill(0, 0, available);
    for (let at = offset; at < offset + available;) {
      const index = Math.floor(at / CHUNK);
      const within = at - index * CHUNK;
      const n = Math.min(CHUNK - within, offset + available - at);
      const chunk = this.chunks.get(index);
      if (chunk) into.set(chunk.subarray(within, within + n), at - offset);
      at += n;
    }
    return available;
  }

  write(bytes: Uint8Array, offset: number): void {
    for (let at = offset; at < offset + bytes.byteLength;) {
      const index = Math.floor(at / CHUNK);
      const within = at - index * CHUNK;
      const n = Math.min(CHUNK - within, offset + bytes.byteLength - at);
      let chunk = this.chunks.get(index);
      if (!chunk) this.chunks.set(index, (chunk = new Uint8Array(CHUNK)));
      chunk.set(bytes.subarray(at - offset, at - offset + n), within);
      at += n;
    }
    this.size = Math.max(this.size, offset + bytes.byteLength);
  }

  /** Forget bytes in `[from, to)`: they read as zeros again. */
  clear(from: number, to: number): void {
    for (let index = Math.floor(from / CHUNK); index * CHUNK < to; index++) {
      const chunk = this.chunks.get(index);
      if (!chunk) continue;
      const start = Math.max(from - index * CHUNK, 0);
      const end = Math.min(to - index * CHUNK, CHUNK);
      if (start === 0 && end === CHUNK) this.chunks.delete(index);
      else chunk.fill(0, start, end);
    }
  }

  truncate(size: number): void {
    // Bytes cut off must read as zeros if the file grows again.
    if (size < this.size) this.clear(size, this.size);
    this.size = size;
  }
}

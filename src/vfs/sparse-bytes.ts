/**
 * Bytes per chunk: small, so that a few bytes written far apart cost little (a journal record's
 * page number and checksum, 8 bytes, take one or two).
 */
const CHUNK = 16;
/** Chunks of room in the pool at first; it doubles when full. */
const INITIAL_SLOTS = 64;

/**
 * A file's bytes held in memory only where they were written, in small chunks; the rest read
 * as zeros. For a rollback journal whose page images are kept elsewhere (see SnapshotJournal),
 * it holds the header and the 8 bytes of page number and checksum around each image.
 *
 * The chunks lie in one pool (a typed array), found through a map of chunk number to slot: no
 * object per chunk, about 60 bytes per chunk in all.
 */
export class SparseBytes {
  /** Chunk number → its slot in `pool`. */
  private readonly slots = new Map<number, number>();
  private pool = new Uint8Array(CHUNK * INITIAL_SLOTS);
  /** Slots of chunks forgotten by `clear`, used again first. */
  private readonly freeSlots: number[] = [];
  private slotsUsed = 0;
  /** One past the last byte written (or the size set by truncate). */
  size = 0;

  /** Copy bytes at `offset` into `into` (zeros where nothing was written); returns how many. */
  read(into: Uint8Array, offset: number): number {
    const available = Math.max(0, Math.min(into.byteLength, this.size - offset));
    into.fill(0, 0, available);
    this.eachChunk(offset, offset + available, (index, within, n, at) => {
      const slot = this.slots.get(index);
      if (slot === undefined) return;
      const start = slot * CHUNK + within;
      into.set(this.pool.subarray(start, start + n), at - offset);
    });
    return available;
  }

  write(bytes: Uint8Array, offset: number): void {
    this.eachChunk(offset, offset + bytes.byteLength, (index, within, n, at) => {
      const slot = this.slots.get(index) ?? this.allocate(index);
      this.pool.set(bytes.subarray(at - offset, at - offset + n), slot * CHUNK + within);
    });
    this.size = Math.max(this.size, offset + bytes.byteLength);
  }

  /** Forget bytes in `[from, to)`: they read as zeros again. */
  clear(from: number, to: number): void {
    if (to <= from) return;
    const first = Math.floor(from / CHUNK);
    const last = Math.ceil(to / CHUNK);
    if (last - first > this.slots.size) {
      // A wide range (a truncation to zero, say): visit the chunks held, not every number.
      for (const index of [...this.slots.keys()]) {
        if (index >= first && index < last) this.clearChunk(index, from, to);
      }
    } else {
      for (let index = first; index < last; index++) this.clearChunk(index, from, to);
    }
  }

  /** Forget the part of chunk `index` that lies in `[from, to)`. */
  private clearChunk(index: number, from: number, to: number): void {
    const slot = this.slots.get(index);
    if (slot === undefined) return;
    const start = Math.max(from - index * CHUNK, 0);
    const end = Math.min(to - index * CHUNK, CHUNK);
    if (start === 0 && end === CHUNK) {
      this.slots.delete(index);
      this.freeSlots.push(slot);
    } else {
      this.pool.fill(0, slot * CHUNK + start, slot * CHUNK + end);
    }
  }

  truncate(size: number): void {
    // Bytes cut off must read as zeros if the file grows again.
    if (size < this.size) this.clear(size, this.size);
    this.size = size;
  }

  /** Call `visit` for each chunk's part of `[from, to)`: chunk number, offset in it, length, file offset. */
  private eachChunk(
    from: number,
    to: number,
    visit: (index: number, within: number, n: number, at: number) => void,
  ): void {
    for (let at = from; at < to;) {
      const index = Math.floor(at / CHUNK);
      const within = at - index * CHUNK;
      const n = Math.min(CHUNK - within, to - at);
      visit(index, within, n, at);
      at += n;
    }
  }

  /** A zeroed slot for chunk `index`. */
  private allocate(index: number): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotsUsed++;
      if (slot * CHUNK >= this.pool.byteLength) {
        const larger = new Uint8Array(this.pool.byteLength * 2);
        larger.set(this.pool);
        this.pool = larger;
      }
    } else {
      this.pool.fill(0, slot * CHUNK, (slot + 1) * CHUNK);
    }
    this.slots.set(index, slot);
    return slot;
  }
}

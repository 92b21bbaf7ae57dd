/** Bytes of one slab: a few pages of any size SQLite allows, and above glibc's mmap threshold. */
const SLAB_BYTES = 256 * 1024;

/** The largest entry kept in a slab: SQLite's largest page. Larger ones stand alone. */
export const MAX_SLOT_BYTES = 64 * 1024;

/** A run of equal slots carved from one ArrayBuffer. */
interface Slab {
  readonly buffer: ArrayBuffer;
  /** Indices of the slots not in use. */
  readonly free: number[];
  used: number;
}

/** A slot holding one entry's bytes; give it back with {@link PageSlabs.release}. */
export interface Slot {
  readonly bytes: Uint8Array;
  readonly slab: Slab;
  readonly index: number;
}

/**
 * Reusable memory for the page cache's entries. A cache of a few thousand separate page
 * buffers that it keeps for a while and then lets go makes garbage V8 frees only at a full
 * collection, long after: a 64 MiB cache churned by a large transaction ran with 40–60 MiB
 * of dead pages beside it, and the allocator kept their memory. Slots of a slab are instead
 * reused at once, and a slab with no slot in use is let go whole.
 *
 * Slabs are per entry size (the page sizes in use, usually one). A size whose entries all
 * left frees its slabs; one whose last few entries are scattered over many slabs keeps those
 * slabs until they leave too (the cache evicts them in its own order).
 */
export class PageSlabs {
  /** Per slot size: the slabs with at least one free slot (a list kept once made, even empty). */
  private readonly open = new Map<number, Slab[]>();
  private slabBytes = 0;

  /** Bytes of the slabs held now, free slots included. */
  get bytes(): number {
    return this.slabBytes;
  }

  /** A slot holding a copy of `bytes` (1 to {@link MAX_SLOT_BYTES} bytes). */
  hold(bytes: Uint8Array): Slot {
    const size = bytes.byteLength;
    if (!(size >= 1 && size <= MAX_SLOT_BYTES)) throw new RangeError(`no slot of ${size} bytes`);
    let open = this.open.get(size);
    if (!open) this.open.set(size, (open = []));
    let slab = open[open.length - 1];
    if (!slab) {
      const slots = Math.max(1, Math.floor(SLAB_BYTES / size));
      slab = { buffer: new ArrayBuffer(slots * size), free: [], used: 0 };
      this.slabBytes += slab.buffer.byteLength;
      for (let index = slots - 1; index >= 0; index--) slab.free.push(index);
      open.push(slab);
    }
    const index = slab.free.pop()!;
    slab.used += 1;
    if (slab.free.length === 0) open.pop();
    const slot = { bytes: new Uint8Array(slab.buffer, index * size, size), slab, index };
    slot.bytes.set(bytes);
    return slot;
  }

  /** Give a slot back: its bytes may be reused at once, so no view of them may be kept. */
  release(slot: Slot): void {
    const { slab } = slot;
    const size = slot.bytes.byteLength;
    const open = this.open.get(size)!;
    if (slab.free.length === 0) open.push(slab);
    slab.free.push(slot.index);
    slab.used -= 1;
    if (slab.used === 0) {
      open.splice(open.indexOf(slab), 1);
      this.slabBytes -= slab.buffer.byteLength;
    }
  }
}

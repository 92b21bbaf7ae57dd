/** Room for this many references at first; the arrays double when full. */
const INITIAL_CAPACITY = 64;

/** A stretch of a file that stands for a page of some source: `length` bytes at `offset`. */
export interface PageReference {
  offset: number;
  length: number;
  pageNo: number;
  /** Index of the page's source, as the owner numbers them. */
  source: number;
}

/**
 * References to pages held elsewhere, ordered by offset and never overlapping, in flat typed
 * arrays: 20 bytes each instead of an object (and a closure) per reference, so that the
 * journal of a transaction that changes a million pages stays a few megabytes.
 */
export class PageReferences {
  private offsets = new Float64Array(INITIAL_CAPACITY);
  private lengths = new Uint32Array(INITIAL_CAPACITY);
  private pageNos = new Uint32Array(INITIAL_CAPACITY);
  private sources = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** One past the last byte of the last reference (0 when there is none). */
  get end(): number {
    const last = this.count - 1;
    return last < 0 ? 0 : (this.offsets[last] as number) + (this.lengths[last] as number);
  }

  /** Add `reference`, which overlaps none of those held. */
  insert(reference: PageReference): void {
    if (this.count === this.offsets.length) this.grow();
    const at = this.indexAtOrAfter(reference.offset);
    this.shift(at, at + 1);
    this.offsets[at] = reference.offset;
    this.lengths[at] = reference.length;
    this.pageNos[at] = reference.pageNo;
    this.sources[at] = reference.source;
    this.count += 1;
  }

  /** References that overlap `[from, to)`, in order. */
  overlapping(from: number, to: number): PageReference[] {
    const [first, last] = this.overlapRange(from, to);
    const out: PageReference[] = [];
    for (let i = first; i < last; i++) out.push(this.at(i));
    return out;
  }

  /** Remove the references that overlap `[from, to)`; returns them, in order. */
  removeOverlapping(from: number, to: number): PageReference[] {
    const [first, last] = this.overlapRange(from, to);
    const removed = this.overlapping(from, to);
    this.shift(last, first);
    this.count -= last - first;
    return removed;
  }

  private at(i: number): PageReference {
    return {
      offset: this.offsets[i] as number,
      length: this.lengths[i] as number,
      pageNo: this.pageNos[i] as number,
      source: this.sources[i] as number,
    };
  }

  /** Indices `[first, last)` of the references that overlap `[from, to)`. */
  private overlapRange(from: number, to: number): [number, number] {
    let first = this.indexAtOrAfter(from);
    // The reference before may reach into the range.
    if (
      first > 0 &&
      (this.offsets[first - 1] as number) + (this.lengths[first - 1] as number) > from
    ) {
      first -= 1;
    }
    let last = first;
    while (last < this.count && (this.offsets[last] as number) < to) last += 1;
    return [first, last];
  }

  /** Index of the first reference at or after `offset` (binary search). */
  private indexAtOrAfter(offset: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.offsets[middle] as number) < offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Move the references from index `from` on to index `to`. */
  private shift(from: number, to: number): void {
    if (from === to || from >= this.count) return;
    for (const array of [this.offsets, this.lengths, this.pageNos, this.sources]) {
      array.copyWithin(to, from, this.count);
    }
  }

  private grow(): void {
    const capacity = this.offsets.length * 2;
    this.offsets = grown(this.offsets, new Float64Array(capacity));
    this.lengths = grown(this.lengths, new Uint32Array(capacity));
    this.pageNos = grown(this.pageNos, new Uint32Array(capacity));
    this.sources = grown(this.sources, new Uint32Array(capacity));
  }
}

function grown<T extends Float64Array | Uint32Array>(old: T, larger: T): T {
  larger.set(old);
  return larger;
}

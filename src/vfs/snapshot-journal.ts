import { checksum } from '../format/checksum.js';
import type { PinnedPage, Volume } from '../volume/volume.js';
import { SparseBytes } from './sparse-bytes.js';

/** A journal record's page image that the pinned commit holds: `length` bytes at `offset`. */
interface Reference {
  offset: number;
  page: PinnedPage;
}

/**
 * The rollback journal of an s3lite database, in bounded memory.
 *
 * A rollback journal record is the page number (4 bytes), the page's ORIGINAL content and a
 * checksum (4 bytes), each written separately (SQLite's pager_write). The original content is
 * exactly the page as the transaction's pinned commit has it, and the pinned commit's page
 * objects are immutable (invariant 1). So when a page image arrives whose CRC-32 is the one
 * the pinned commit records for that page number, the journal keeps only a reference to that
 * page and reads it back from the store (or the page cache) if SQLite ever rolls back; any
 * other bytes (the header, page numbers, checksums, a page image that differs) are kept in
 * memory as they were written. A 300 MB rewrite then costs a few dozen bytes of journal per
 * page instead of the page itself.
 *
 * Reads and writes keep exact file semantics: a later write over a reference replaces it (its
 * bytes are materialized first if the write covers only part of it), truncation cuts it.
 */
export class SnapshotJournal {
  private readonly bytes = new SparseBytes();
  /** References ordered by offset, never overlapping. */
  private readonly references: Reference[] = [];

  constructor(private readonly volume: Volume) {}

  get size(): number {
    const last = this.references.at(-1);
    return Math.max(this.bytes.size, last ? last.offset + last.page.length : 0);
  }

  /** Copy bytes at `offset` into `into`; returns how many there were (fewer at end of file). */
  async read(into: Uint8Array, offset: number): Promise<number> {
    const available = Math.max(0, Math.min(into.byteLength, this.size - offset));
    const target = into.subarray(0, available);
    target.fill(0);
    this.bytes.read(target, offset);
    for (const reference of this.overlapping(offset, offset + available)) {
      copyOverlap(await reference.page.read(), reference.offset, target, offset);
    }
    return available;
  }

  async write(data: Uint8Array, offset: number): Promise<void> {
    await this.release(offset, offset + data.byteLength);
    const page = this.pinnedImage(data, offset);
    if (page) {
      // Bytes written there before must not show through the reference.
      this.bytes.clear(offset, offset + data.byteLength);
      this.references.splice(this.insertionIndex(offset), 0, { offset, page });
      return;
    }
    this.bytes.write(data, offset);
  }

  async truncate(size: number): Promise<void> {
    await this.release(size, Infinity);
    this.bytes.truncate(size);
  }

  /**
   * The pinned commit's page that `data`, written at `offset`, is an image of: a whole page,
   * right after the 4-byte page number of its record, with the CRC-32 the commit records.
   */
  private pinnedImage(data: Uint8Array, offset: number): PinnedPage | undefined {
    if (offset < 4) return undefined;
    const numberBytes = new Uint8Array(4);
    if (this.bytes.read(numberBytes, offset - 4) !== 4) return undefined;
    const pageNo = new DataView(numberBytes.buffer).getUint32(0);
    const page = this.volume.pinnedPage(pageNo, data.byteLength);
    return page && page.crc === checksum(data) ? page : undefined;
  }

  /**
   * Make `[from, to)` hold only plain bytes: references inside it are dropped, those it cuts
   * through are replaced by the bytes they stand for.
   */
  private async release(from: number, to: number): Promise<void> {
    for (const reference of this.overlapping(from, to)) {
      this.references.splice(this.references.indexOf(reference), 1);
      const end = reference.offset + reference.page.length;
      if (reference.offset >= from && end <= to) continue;
      this.bytes.write(await reference.page.read(), reference.offset);
    }
  }

  /** References that overlap `[from, to)`, found by binary search (rollback reads them all). */
  private overlapping(from: number, to: number): Reference[] {
    const out: Reference[] = [];
    let i = Math.max(0, this.insertionIndex(from) - 1);
    for (; i < this.references.length; i++) {
      const reference = this.references[i] as Reference;
      if (reference.offset >= to) break;
      if (reference.offset + reference.page.length > from) out.push(reference);
    }
    return out;
  }

  /** Index of the first reference at or after `offset`. */
  private insertionIndex(offset: number): number {
    let low = 0;
    let high = this.references.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.references[middle] as Reference).offset < offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Copy the part of `source` (at file offset `sourceAt`) that falls in `target` (at `targetAt`). */
function copyOverlap(
  source: Uint8Array,
  sourceAt: number,
  target: Uint8Array,
  targetAt: number,
): void {
  const from = Math.max(sourceAt, targetAt);
  const to = Math.min(sourceAt + source.byteLength, targetAt + target.byteLength);
  if (to > from) target.set(source.subarray(from - sourceAt, to - sourceAt), from - targetAt);
}

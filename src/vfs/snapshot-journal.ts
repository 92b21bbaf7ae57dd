import { checksum } from '../format/checksum.js';
import type { PinnedPages } from '../volume/pinned-pages.js';
import type { Volume } from '../volume/volume.js';
import { PageReferences, type PageReference } from './page-references.js';
import { SparseBytes } from './sparse-bytes.js';

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
 * memory as they were written. A 300 MB rewrite then costs under a hundred bytes of journal
 * per page instead of the page itself: a reference is a page number in flat arrays
 * (PageReferences), and the 8 bytes around it a small chunk of a shared pool (SparseBytes).
 *
 * Reads and writes keep exact file semantics: a later write over a reference replaces it (its
 * bytes are materialized first if the write covers only part of it), truncation cuts it.
 */
export class SnapshotJournal {
  private readonly bytes = new SparseBytes();
  private readonly references = new PageReferences();
  /**
   * The pinned commits the references point into, numbered by their index: one, unless the
   * journal outlives a transaction (journal_mode=PERSIST keeps it open).
   */
  private readonly sources: PinnedPages[] = [];

  constructor(private readonly volume: Volume) {}

  get size(): number {
    return Math.max(this.bytes.size, this.references.end);
  }

  /** Copy bytes at `offset` into `into`; returns how many there were (fewer at end of file). */
  async read(into: Uint8Array, offset: number): Promise<number> {
    const available = Math.max(0, Math.min(into.byteLength, this.size - offset));
    const target = into.subarray(0, available);
    target.fill(0);
    this.bytes.read(target, offset);
    for (const reference of this.references.overlapping(offset, offset + available)) {
      copyOverlap(await this.pageOf(reference), reference.offset, target, offset);
    }
    return available;
  }

  async write(data: Uint8Array, offset: number): Promise<void> {
    await this.release(offset, offset + data.byteLength);
    const reference = this.pinnedImage(data, offset);
    if (reference) {
      // Bytes written there before must not show through the reference.
      this.bytes.clear(offset, offset + data.byteLength);
      this.references.insert(reference);
      return;
    }
    this.bytes.write(data, offset);
  }

  async truncate(size: number): Promise<void> {
    await this.release(size, Infinity);
    this.bytes.truncate(size);
  }

  /**
   * A reference to the pinned commit's page that `data`, written at `offset`, is an image of: a
   * whole page, right after the 4-byte page number of its record, with the CRC-32 the commit
   * records.
   */
  private pinnedImage(data: Uint8Array, offset: number): PageReference | undefined {
    if (offset < 4) return undefined;
    const numberBytes = new Uint8Array(4);
    if (this.bytes.read(numberBytes, offset - 4) !== 4) return undefined;
    const pageNo = new DataView(numberBytes.buffer).getUint32(0);
    const pages = this.volume.pinnedPages();
    if (data.byteLength !== pages.pageSize) return undefined;
    const crc = pages.crc(pageNo);
    if (crc === undefined || crc !== checksum(data)) return undefined;
    let source = this.sources.indexOf(pages);
    if (source < 0) source = this.sources.push(pages) - 1;
    return { offset, length: data.byteLength, pageNo, source };
  }

  /**
   * Make `[from, to)` hold only plain bytes: references inside it are dropped, those it cuts
   * through are replaced by the bytes they stand for.
   */
  private async release(from: number, to: number): Promise<void> {
    for (const reference of this.references.removeOverlapping(from, to)) {
      if (reference.offset >= from && reference.offset + reference.length <= to) continue;
      this.bytes.write(await this.pageOf(reference), reference.offset);
    }
  }

  private pageOf(reference: PageReference): Promise<Uint8Array> {
    return (this.sources[reference.source] as PinnedPages).read(reference.pageNo);
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

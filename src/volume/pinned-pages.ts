import { checksum, type PageEntry, type PageMap } from '../format/index.js';

/**
 * The pages of one pinned commit, for a rollback journal whose records are exactly such pages
 * (see SnapshotJournal): a page's CRC-32 to recognise its image, and its bytes to read it back.
 * Stays valid after the commit is unpinned, as page objects are immutable (invariant 1). One
 * object serves every page, so a journal keeps only page numbers, not an object per page.
 */
export class PinnedPages {
  private zeroCrc: number | undefined;

  /** @param readStored Reads a page the commit stores (one it has an entry for). */
  constructor(
    private readonly map: PageMap,
    private readonly readStored: (pageNo: number, entry: PageEntry) => Promise<Uint8Array>,
  ) {}

  get pageSize(): number {
    return this.map.pageSize;
  }

  /** CRC-32 of page `pageNo` as the commit has it (zeros if never written); undefined past its end. */
  crc(pageNo: number): number | undefined {
    if (!(pageNo >= 1 && pageNo <= this.map.pageCount)) return undefined;
    const entry = this.map.get(pageNo);
    if (entry) return entry.crc;
    this.zeroCrc ??= checksum(new Uint8Array(this.map.pageSize));
    return this.zeroCrc;
  }

  /** Bytes of page `pageNo` (one that {@link crc} knows). */
  read(pageNo: number): Promise<Uint8Array> {
    const entry = this.map.get(pageNo);
    return entry ? this.readStored(pageNo, entry) : Promise.resolve(new Uint8Array(this.pageSize));
  }
}

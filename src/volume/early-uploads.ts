import { checksum, pageKey } from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import type { CommitProtocol } from './commit-protocol.js';
import { forEachInParallel, UPLOAD_PARALLELISM } from './parallel.js';
import type { VolumeStats } from './types.js';

/**
 * The pages a write transaction uploads before its commit, to bound its memory (invisible
 * until a commit names them, garbage if none does). Kept as page number and CRC pairs: their
 * keys are made when needed, as a key string each would cost about a hundred bytes per page
 * for the whole of a large transaction.
 */
export class EarlyUploads {
  private uploaded: number[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    /** The volume's counters: `pagesUploadedEarly` is kept here. */
    private readonly counters: VolumeStats,
    private readonly protocol: Pick<CommitProtocol, 'ensureMarker'>,
  ) {}

  /** A new transaction begins: it has uploaded nothing yet. */
  clear(): void {
    this.uploaded = [];
  }

  /**
   * Upload `pages` of transaction `txid`, {@link UPLOAD_PARALLELISM} at a time; `uploaded` is
   * told of each page as soon as it is stored.
   */
  async upload(
    txid: string,
    pages: Iterable<[number, Uint8Array]>,
    uploaded: (pageNo: number, crc: number) => void,
  ): Promise<void> {
    // Pages under a prefix without a marker would make the prefix look like foreign data.
    await this.protocol.ensureMarker();
    await forEachInParallel(pages, UPLOAD_PARALLELISM, async ([pageNo, page]) => {
      const crc = checksum(page);
      await this.store.put(pageKey(this.prefix, txid, pageNo, crc), page);
      this.uploaded.push(pageNo, crc);
      this.counters.pagesUploadedEarly += 1;
      uploaded(pageNo, crc);
    });
  }

  /**
   * Keys of the pages uploaded early, each once (a page uploaded twice unchanged has one);
   * given the pages a commit names (sorted by page number), only those it does not name.
   */
  keys(txid: string, committed: Array<[number, number]> = []): string[] {
    const keys = new Set<string>();
    for (let i = 0; i < this.uploaded.length; i += 2) {
      const pageNo = this.uploaded[i]!;
      const crc = this.uploaded[i + 1]!;
      if (committedCrc(committed, pageNo) !== crc)
        keys.add(pageKey(this.prefix, txid, pageNo, crc));
    }
    return [...keys];
  }
}

/** The CRC that `pages` (sorted by page number) gives page `pageNo`, by binary search. */
function committedCrc(pages: Array<[number, number]>, pageNo: number): number | undefined {
  let low = 0;
  let high = pages.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (pages[middle]![0] < pageNo) low = middle + 1;
    else high = middle;
  }
  const found = pages[low];
  return found?.[0] === pageNo ? found[1] : undefined;
}

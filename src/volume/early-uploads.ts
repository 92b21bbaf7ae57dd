import { checksum, pageKey } from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import type { CommitProtocol } from './commit-protocol.js';
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

  /** Upload `pages` of transaction `txid` in parallel; returns their numbers and CRCs. */
  async upload(txid: string, pages: Array<[number, Uint8Array]>): Promise<Array<[number, number]>> {
    // Pages under a prefix without a marker would make the prefix look like foreign data.
    await this.protocol.ensureMarker();
    return Promise.all(
      pages.map(async ([pageNo, page]): Promise<[number, number]> => {
        const crc = checksum(page);
        await this.store.put(pageKey(this.prefix, txid, pageNo, crc), page);
        this.uploaded.push(pageNo, crc);
        this.counters.pagesUploadedEarly += 1;
        return [pageNo, crc];
      }),
    );
  }

  /** Keys of the pages uploaded early, each once (a page uploaded twice unchanged has one). */
  keys(txid: string): string[] {
    const keys = new Set<string>();
    for (let i = 0; i < this.uploaded.length; i += 2) {
      keys.add(pageKey(this.prefix, txid, this.uploaded[i]!, this.uploaded[i + 1]!));
    }
    return [...keys];
  }
}

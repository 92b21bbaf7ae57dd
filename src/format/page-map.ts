import type { CommitRecord } from './commit-record.js';

/** Where one page's current version lives: the transaction that wrote it, and its checksum. */
export interface PageEntry {
  txid: string;
  crc: number;
}

/**
 * The page map of one commit: for every page of the database, the transaction that last wrote
 * it and its checksum (or nothing: a page never written reads as zeros). Immutable: applying
 * a commit makes a new map, so a pinned snapshot never changes under its reader.
 *
 * Stored as two typed arrays indexed by page number and a table of transaction ids, about 8
 * bytes a page in memory.
 */
export class PageMap {
  private constructor(
    readonly pageSize: number,
    readonly pageCount: number,
    /** Index into `txids` per page (0: never written). */
    private readonly txidIndex: Uint32Array,
    private readonly crcs: Uint32Array,
    /** Transaction ids; entry 0 is unused so that 0 can mean "never written". */
    private readonly txids: readonly string[],
  ) {}

  static empty(): PageMap {
    return new PageMap(0, 0, new Uint32Array(0), new Uint32Array(0), ['']);
  }

  /** Build a map from decoded arrays (checkpoint decoding). */
  static fromArrays(
    pageSize: number,
    pageCount: number,
    txidIndex: Uint32Array,
    crcs: Uint32Array,
    txids: string[],
  ): PageMap {
    return new PageMap(pageSize, pageCount, txidIndex, crcs, txids);
  }

  /** The stored version of page `pageNo` (1-based), or undefined if it was never written. */
  get(pageNo: number): PageEntry | undefined {
    const index = this.txidIndex[pageNo - 1];
    if (!index) return undefined;
    return { txid: this.txids[index] as string, crc: this.crcs[pageNo - 1] as number };
  }

  /** The map after `record`: its pages replace older versions, its page count cuts or extends. */
  withCommit(record: CommitRecord): PageMap {
    // A new page size (VACUUM after PRAGMA page_size) rewrites every page: nothing old remains.
    const keepOld = record.pageSize === this.pageSize;
    const count = record.pageCount;
    const txidIndex = new Uint32Array(count);
    const crcs = new Uint32Array(count);
    let txids: string[];
    if (keepOld) {
      const kept = Math.min(count, this.pageCount);
      txidIndex.set(this.txidIndex.subarray(0, kept));
      crcs.set(this.crcs.subarray(0, kept));
      txids = [...this.txids];
    } else {
      txids = [''];
    }
    txids.push(record.txid);
    const newIndex = txids.length - 1;
    for (const [pageNo, crc] of record.pages) {
      if (pageNo < 1 || pageNo > count) continue;
      txidIndex[pageNo - 1] = newIndex;
      crcs[pageNo - 1] = crc;
    }
    const map = new PageMap(record.pageSize, count, txidIndex, crcs, txids);
    // Each commit adds a transaction id; drop the ones no page uses once they pile up.
    return txids.length > 2 * count + 64 ? map.compacted() : map;
  }

  /** Every written page in ascending order. */
  *entries(): IterableIterator<[number, PageEntry]> {
    for (let pageNo = 1; pageNo <= this.pageCount; pageNo++) {
      const entry = this.get(pageNo);
      if (entry) yield [pageNo, entry];
    }
  }

  /** The arrays behind the map with only the transaction ids still in use (for checkpoints). */
  compactArrays(): { txidIndex: Uint32Array; crcs: Uint32Array; txids: string[] } {
    const renumber = new Map<number, number>();
    const txids = [''];
    const txidIndex = new Uint32Array(this.pageCount);
    for (let i = 0; i < this.pageCount; i++) {
      const old = this.txidIndex[i] as number;
      if (old === 0) continue;
      let index = renumber.get(old);
      if (index === undefined) {
        index = txids.push(this.txids[old] as string) - 1;
        renumber.set(old, index);
      }
      txidIndex[i] = index;
    }
    return { txidIndex, crcs: this.crcs.slice(0, this.pageCount), txids };
  }

  private compacted(): PageMap {
    const { txidIndex, crcs, txids } = this.compactArrays();
    return new PageMap(this.pageSize, this.pageCount, txidIndex, crcs, txids);
  }
}

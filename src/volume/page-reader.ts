import { ConflictError, CorruptError, NotFoundError } from '../errors.js';
import { checksum, pageKey, pageSpans, type PageMap } from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import { expired, readCommit, type Snapshot } from './commit-log.js';
import type { HeadTrust } from './head-trust.js';
import type { PageCache } from './page-cache.js';
import { PinnedPages } from './pinned-pages.js';
import { ReadAhead } from './read-ahead.js';
import type { VolumeStats } from './types.js';

/**
 * The page read path of one volume: bytes of a snapshot fetched page by page (one GET per
 * page object, in parallel), through the page cache, checked against their checksums, with
 * read-ahead for sequential reads. Page objects are immutable, so a cached page never goes
 * stale; a missing one is told apart as collected, lost to a conflict, or lost.
 */
export class PageReader {
  private readonly readAhead: ReadAhead;
  /** What {@link pinnedPages} last answered, and for which page map. */
  private pinned: { map: PageMap; pages: PinnedPages } | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    private readonly cache: PageCache,
    readAheadMax: number,
    /** The volume's counters: cache hits and misses, prefetches, conflicts found here. */
    private readonly counters: VolumeStats,
    private readonly headTrust: HeadTrust,
    /** The database, for messages. */
    private readonly describe: string,
  ) {
    this.readAhead = new ReadAhead(readAheadMax);
  }

  /** A read transaction ended: the next reads start a new sequence for read-ahead. */
  endRead(): void {
    this.readAhead.reset();
  }

  /** Bytes of a snapshot, fetched page by page (in parallel), zeros for unwritten pages. */
  async read(snapshot: Snapshot, offset: number, length: number): Promise<Uint8Array> {
    const map = snapshot.map;
    const size = map.pageCount * map.pageSize;
    const end = Math.min(offset + length, size);
    if (end <= offset) return new Uint8Array(0);
    const spans = pageSpans(offset, end, map.pageSize);
    const only = spans.length === 1 ? spans[0] : undefined;
    if (only) {
      // Within one page: a view of the page as loaded or handed out by the cache, no copy.
      const page = await this.snapshotPage(snapshot, only.index + 1);
      return page.subarray(only.from - only.pageStart, only.to - only.pageStart);
    }
    const out = new Uint8Array(end - offset);
    await Promise.all(
      spans.map(async ({ index, pageStart, from, to }) => {
        const page = await this.snapshotPage(snapshot, index + 1);
        out.set(page.subarray(from - pageStart, to - pageStart), from - offset);
      }),
    );
    return out;
  }

  /**
   * The pages of `snapshot`, readable after it moves on (see {@link PinnedPages}); the same
   * object for the same commit, asked again.
   */
  pinnedPages(snapshot: Snapshot): PinnedPages {
    if (this.pinned?.map !== snapshot.map) {
      const { map, seq } = snapshot;
      const pages = new PinnedPages(map, (pageNo, entry) =>
        this.readPage(
          pageKey(this.prefix, entry.txid, pageNo, entry.crc),
          entry.crc,
          map.pageSize,
          seq,
        ),
      );
      this.pinned = { map, pages };
    }
    return this.pinned.pages;
  }

  /**
   * A page a write transaction uploaded early, by key. `nextCommit` says, when it is found
   * missing, which commit would have fenced the transaction off (undefined when none is open).
   */
  uploadedPage(
    key: string,
    crc: number,
    nextCommit: () => number | undefined,
  ): Promise<Uint8Array> {
    return this.readPage(key, crc, undefined, undefined, nextCommit);
  }

  /** Keep a page just committed in the cache, so that reading it back costs no GET. */
  remember(key: string, page: Uint8Array): void {
    this.cache.set(this.cacheKey(key), page);
  }

  /** Fetch every page of `snapshot` into the cache, in parallel. */
  async prefetchAll(snapshot: Snapshot): Promise<void> {
    await Promise.all(
      [...snapshot.map.entries()].map(([pageNo, entry]) => {
        this.counters.pagesPrefetched += 1;
        return this.readPage(
          pageKey(this.prefix, entry.txid, pageNo, entry.crc),
          entry.crc,
          snapshot.map.pageSize,
          snapshot.seq,
        );
      }),
    );
  }

  private async snapshotPage(snapshot: Snapshot, pageNo: number): Promise<Uint8Array> {
    const entry = snapshot.map.get(pageNo);
    for (const next of this.readAhead.next(pageNo, snapshot.map.pageCount))
      this.prefetch(snapshot, next);
    if (!entry) return new Uint8Array(snapshot.map.pageSize);
    return this.readPage(
      pageKey(this.prefix, entry.txid, pageNo, entry.crc),
      entry.crc,
      snapshot.map.pageSize,
      snapshot.seq,
    );
  }

  /**
   * One page object, from the cache or one GET, checked against its checksum. `snapshotSeq`:
   * the commit the page is read for (absent for a transaction's own uploads, which give
   * `nextCommit` instead).
   */
  private async readPage(
    key: string,
    crc: number,
    pageSize?: number,
    snapshotSeq?: number,
    nextCommit?: () => number | undefined,
  ): Promise<Uint8Array> {
    const { page, hit } = await this.cache.getOrLoad(this.cacheKey(key), async () => {
      let body: Uint8Array;
      try {
        body = (await this.store.get(key)).body;
      } catch (error) {
        if (error instanceof NotFoundError) {
          throw await this.missingPage(key, snapshotSeq, nextCommit, error);
        }
        throw error;
      }
      if (checksum(body) !== crc || (pageSize !== undefined && body.byteLength !== pageSize)) {
        throw new CorruptError(key, `page fails its checksum (${body.byteLength} bytes)`);
      }
      return body;
    });
    if (hit) this.counters.cacheHits += 1;
    else this.counters.cacheMisses += 1;
    return page;
  }

  /**
   * The error for a page object that is not there. GC deletes a commit's record before any page
   * only it needed: with the record gone too, the snapshot was collected; with it present, the
   * page is lost.
   */
  private async missingPage(
    key: string,
    snapshotSeq: number | undefined,
    nextCommit: (() => number | undefined) | undefined,
    cause: NotFoundError,
  ): Promise<Error> {
    if (snapshotSeq && !(await readCommit(this.store, this.prefix, snapshotSeq))) {
      this.headTrust.distrust();
      return expired(this.store, this.prefix, snapshotSeq);
    }
    // One of the transaction's own uploads: GC took it, and fenced the transaction off first.
    const next = snapshotSeq ? undefined : nextCommit?.();
    if (next !== undefined && (await readCommit(this.store, this.prefix, next))) {
      this.counters.conflicts += 1;
      return new ConflictError(
        `${this.describe}: commit ${next} was made after this transaction began, and garbage ` +
          `collection has removed the pages it uploaded early`,
        { cause },
      );
    }
    return new CorruptError(key, `page object missing from ${this.store.location}`, { cause });
  }

  private prefetch(snapshot: Snapshot, pageNo: number): void {
    const entry = snapshot.map.get(pageNo);
    if (!entry) return;
    const key = pageKey(this.prefix, entry.txid, pageNo, entry.crc);
    if (this.cache.has(this.cacheKey(key))) return;
    this.counters.pagesPrefetched += 1;
    // A failed prefetch is not an error: the real read fetches the page again and reports.
    this.readPage(key, entry.crc, snapshot.map.pageSize, snapshot.seq).catch(() => undefined);
  }

  private cacheKey(key: string): string {
    return `${this.store.location}\n${key}`;
  }
}

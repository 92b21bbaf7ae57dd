import {
  ConflictError,
  InvalidRangeError,
  NotADatabaseError,
  PreconditionFailedError,
} from '../../errors.js';
import { checksum, pageSpans } from '../../format/index.js';
import type { ObjectStore } from '../../store/types.js';
import type { PageCache } from '../../volume/page-cache.js';
import { ReadAhead } from '../../volume/read-ahead.js';
import { headerPageSize, presentPage1 } from '../../format/sqlite-header.js';

/** Bytes fetched by the first GET of a version: page 1 of any page size, and often more. */
const FIRST_RANGE = 65536;

/** How an {@link ObjectFile} caches and reads ahead. */
export interface ObjectFileOptions {
  cache: PageCache;
  /** Most pages fetched ahead of sequential reads (0: none). */
  readAheadMax: number;
}

/** Counters of one {@link ObjectFile}. */
export interface ObjectFileStats {
  cacheHits: number;
  cacheMisses: number;
  pagesPrefetched: number;
}

/** One version of the object: what its ETag pins. */
interface Version {
  etag: string;
  size: number;
  pageSize: number;
  /** Distinguishes SQLite's view of this version from the others' (see presentPage1). */
  counter: number;
}

/**
 * A regular SQLite database file stored as one object, read in place, read-only: pages are
 * ranged GETs pinned to the ETag of the version being read (`If-Match`), through the page
 * cache (entries keyed by ETag, so they never go stale and every reader in the process shares
 * them) with read-ahead on sequential access.
 *
 * A reader sees one version from {@link refresh} to the next: when the object is replaced in
 * between, a page not cached yet cannot be fetched (412), and the read fails with
 * `ConflictError` instead of mixing two versions; the next refresh moves to the new version.
 */
export class ObjectFile {
  private readonly readAhead: ReadAhead;
  private readonly counters: ObjectFileStats = {
    cacheHits: 0,
    cacheMisses: 0,
    pagesPrefetched: 0,
  };

  private constructor(
    readonly store: ObjectStore,
    readonly key: string,
    private readonly options: ObjectFileOptions,
    private version: Version,
  ) {
    this.readAhead = new ReadAhead(options.readAheadMax);
  }

  /**
   * Open the object's current version with one ranged GET of its first 64 KiB, which gives
   * its ETag, its size and the SQLite header, and fills the cache with the pages it holds.
   * @throws NotFoundError when there is no such object; NotADatabaseError when it does not
   *   start with a SQLite header.
   */
  static async open(
    store: ObjectStore,
    key: string,
    options: ObjectFileOptions,
  ): Promise<ObjectFile> {
    return new ObjectFile(store, key, options, await openVersion(store, key, options.cache));
  }

  /** Bytes in the version being read. */
  get size(): number {
    return this.version.size;
  }

  get pageSize(): number {
    return this.version.pageSize;
  }

  stats(): ObjectFileStats {
    return { ...this.counters };
  }

  /**
   * Move to the object's current version: one HEAD, and when the ETag changed, the GET that
   * opens the new version.
   */
  async refresh(): Promise<void> {
    const { etag } = await this.store.head(this.key);
    if (etag === this.version.etag) return;
    this.version = await openVersion(this.store, this.key, this.options.cache);
    this.readAhead.reset();
  }

  endRead(): void {
    this.readAhead.reset();
  }

  /** Up to `length` bytes from `offset` of the version being read (fewer at its end). */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const version = this.version;
    const end = Math.min(offset + length, version.size);
    if (end <= offset) return new Uint8Array(0);
    const size = version.pageSize;
    const out = new Uint8Array(end - offset);
    await Promise.all(
      pageSpans(offset, end, size).map(async ({ index, pageStart, from, to }) => {
        const pageNo = index + 1;
        const pageCount = Math.ceil(version.size / size);
        for (const next of this.readAhead.next(pageNo, pageCount)) this.prefetch(version, next);
        const page = await this.page(version, pageNo);
        out.set(page.subarray(from - pageStart, to - pageStart), from - offset);
      }),
    );
    return out;
  }

  private async page(version: Version, pageNo: number): Promise<Uint8Array> {
    const { page, hit } = await this.options.cache.getOrLoad(
      pageCacheKey(this.store, this.key, version.etag, pageNo),
      async () => {
        const start = (pageNo - 1) * version.pageSize;
        const range = { offset: start, length: version.pageSize };
        try {
          const { body } = await this.store.get(this.key, { range, ifMatch: version.etag });
          return pageNo === 1 ? presentPage1(body, version.counter) : body;
        } catch (error) {
          if (!(error instanceof PreconditionFailedError)) throw error;
          throw new ConflictError(
            `"${this.key}" in ${this.store.location} was replaced while being read ` +
              `(the version read had ETag ${version.etag}); the next read transaction sees the new one`,
            { cause: error },
          );
        }
      },
    );
    if (hit) this.counters.cacheHits += 1;
    else this.counters.cacheMisses += 1;
    return page;
  }

  private prefetch(version: Version, pageNo: number): void {
    if (this.options.cache.has(pageCacheKey(this.store, this.key, version.etag, pageNo))) return;
    this.counters.pagesPrefetched += 1;
    // A failed prefetch is not an error: the real read fetches the page again and reports.
    this.page(version, pageNo).catch(() => undefined);
  }
}

/** The object's current version, by a GET of its first bytes (their pages are cached). */
async function openVersion(store: ObjectStore, key: string, cache: PageCache): Promise<Version> {
  const where = `"${key}" in ${store.location}`;
  let first;
  try {
    first = await store.get(key, { range: { offset: 0, length: FIRST_RANGE } });
  } catch (error) {
    if (error instanceof InvalidRangeError) throw new NotADatabaseError(`${where} is empty`);
    throw error;
  }
  const pageSize = headerPageSize(first.body);
  if (pageSize === undefined) {
    throw new NotADatabaseError(`${where} is not a SQLite database (no "SQLite format 3" header)`);
  }
  const version: Version = {
    etag: first.etag,
    size: first.size,
    pageSize,
    counter: checksum(new TextEncoder().encode(first.etag)),
  };
  for (let start = 0; start < first.body.byteLength; start += pageSize) {
    const page = first.body.slice(start, start + pageSize);
    // A page cut short by the range is not whole; one cut short by the object's end is.
    if (page.byteLength < pageSize && start + page.byteLength < first.size) break;
    const pageNo = start / pageSize + 1;
    cache.set(
      pageCacheKey(store, key, version.etag, pageNo),
      pageNo === 1 ? presentPage1(page, version.counter) : page,
    );
  }
  return version;
}

/** Pages of one version never change, so every reader in the process can share them. */
function pageCacheKey(store: ObjectStore, key: string, etag: string, pageNo: number): string {
  return `${store.location}\n${key}\n${etag}\n${pageNo}`;
}

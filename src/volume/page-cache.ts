import { LRUCache } from 'lru-cache';
import { checkWholeNumber } from '../option-checks.js';

/** Default byte budget of the process-wide page cache. */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * An LRU cache of page objects bounded by bytes, keyed by object key. Page objects are never
 * overwritten once committed (a new version gets a new key), so entries never go stale and
 * the cache needs no invalidation; it can be shared by every volume in a process. Concurrent
 * misses of one key share one load.
 */
export class PageCache {
  private readonly pages: LRUCache<string, Uint8Array>;
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();

  /** @throws InvalidArgumentError unless `maxBytes` is a whole number ≥ 1. */
  constructor(maxBytes: number = DEFAULT_CACHE_BYTES) {
    this.pages = new LRUCache<string, Uint8Array>({
      maxSize: checkWholeNumber('the PageCache size (maxBytes)', maxBytes, 1),
      sizeCalculation: (page) => Math.max(1, page.byteLength),
    });
  }

  get(key: string): Uint8Array | undefined {
    return this.pages.get(key);
  }

  has(key: string): boolean {
    return this.pages.has(key) || this.inFlight.has(key);
  }

  set(key: string, page: Uint8Array): void {
    this.pages.set(key, page);
  }

  /**
   * The cached page, or the result of `load` (stored on success). A second caller asking for
   * a key that is being loaded waits for the same load instead of starting another.
   * `hit` tells whether the page was already cached.
   */
  async getOrLoad(
    key: string,
    load: () => Promise<Uint8Array>,
  ): Promise<{ page: Uint8Array; hit: boolean }> {
    const cached = this.pages.get(key);
    if (cached) return { page: cached, hit: true };
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = load()
        .then((page) => {
          this.pages.set(key, page);
          return page;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return { page: await pending, hit: false };
  }

  /** Bytes held now. */
  get size(): number {
    return this.pages.calculatedSize;
  }

  clear(): void {
    this.pages.clear();
  }
}

let shared: PageCache | undefined;

/** The cache volumes use unless given their own. */
export function sharedPageCache(): PageCache {
  shared ??= new PageCache();
  return shared;
}

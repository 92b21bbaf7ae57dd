import { LRUCache } from 'lru-cache';
import { checkWholeNumber } from '../option-checks.js';
import { MAX_SLOT_BYTES, PageSlabs, type Slot } from './page-slabs.js';

/** Default byte budget of the process-wide page cache. */
export const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;

/** An entry: a page in a slot of {@link PageSlabs}, or a larger object standing alone. */
type Entry = Slot | Uint8Array;

/**
 * An LRU cache of page objects bounded by bytes, keyed by object key. Page objects are never
 * overwritten once committed (a new version gets a new key), so entries never go stale and
 * the cache needs no invalidation; it can be shared by every volume in a process. Concurrent
 * misses of one key share one load.
 *
 * Pages (up to 64 KiB) are kept in reused slabs ({@link PageSlabs}), so a full cache that keeps
 * taking new pages makes no garbage; what it hands out is a copy, which the caller may keep.
 * A larger object is kept and handed out as it is.
 */
export class PageCache {
  private readonly pages: LRUCache<string, Entry>;
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();
  private readonly slabs = new PageSlabs();
  private standaloneBytes = 0;

  /** @throws InvalidArgumentError unless `maxBytes` is a whole number ≥ 1. */
  constructor(maxBytes: number = DEFAULT_CACHE_BYTES) {
    this.pages = new LRUCache<string, Entry>({
      maxSize: checkWholeNumber('the PageCache size (maxBytes)', maxBytes, 1),
      sizeCalculation: (entry) => Math.max(1, bytesOf(entry).byteLength),
      // Synchronous, on eviction, deletion and replacement alike: the slot is free at once.
      dispose: (entry) => {
        if (entry instanceof Uint8Array) this.standaloneBytes -= entry.byteLength;
        else this.slabs.release(entry);
      },
    });
  }

  /** The cached page (a copy, for a page up to 64 KiB), or undefined. */
  get(key: string): Uint8Array | undefined {
    const entry = this.pages.get(key);
    return entry && handOut(entry);
  }

  /** Whether `key` is cached or being loaded. */
  has(key: string): boolean {
    return this.pages.has(key) || this.inFlight.has(key);
  }

  /**
   * Keep `page`: a copy of it up to 64 KiB (the caller may go on changing it), a larger one as
   * it is (it must not change). One larger than the whole cache is not kept.
   */
  set(key: string, page: Uint8Array): void {
    if (Math.max(1, page.byteLength) > this.pages.maxEntrySize) {
      this.pages.delete(key);
      return;
    }
    // An empty object (a missing block) needs no slot, and a copy of it no memory.
    if (page.byteLength > 0 && page.byteLength <= MAX_SLOT_BYTES) {
      this.pages.set(key, this.slabs.hold(page));
    } else {
      // Set again, the same object is not disposed of: it must not be counted twice.
      if (this.pages.peek(key) !== page) this.standaloneBytes += page.byteLength;
      this.pages.set(key, page);
    }
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
    const cached = this.get(key);
    if (cached) return { page: cached, hit: true };
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = load()
        .then((page) => {
          this.set(key, page);
          return page;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return { page: await pending, hit: false };
  }

  /** Bytes of the entries held now. */
  get size(): number {
    return this.pages.calculatedSize;
  }

  /**
   * Bytes of memory the cache holds now: its slabs (free slots included) and its objects
   * larger than a slot. At most the size plus one slab per page size, unless pages of another
   * size took over a full cache, until the last of the old ones are evicted.
   */
  get memoryBytes(): number {
    return this.slabs.bytes + this.standaloneBytes;
  }

  /** Drop every page; their memory is let go. */
  clear(): void {
    this.pages.clear();
  }
}

function bytesOf(entry: Entry): Uint8Array {
  return entry instanceof Uint8Array ? entry : entry.bytes;
}

/** A slot's bytes are reused once it leaves the cache: callers get a copy of them. */
function handOut(entry: Entry): Uint8Array {
  return entry instanceof Uint8Array ? entry : entry.bytes.slice();
}

let shared: PageCache | undefined;

/** The cache volumes use unless given their own. */
export function sharedPageCache(): PageCache {
  shared ??= new PageCache();
  return shared;
}

import { InvalidArgumentError } from '../errors.js';
import { headerPageSize } from '../format/sqlite-header.js';
import { ObjectFile } from '../layouts/object-file.js';
import type { ObjectStore } from '../store/types.js';
import type { GcReport } from '../volume/gc.js';
import { sharedPageCache, type PageCache } from '../volume/page-cache.js';
import type { CommitInfo, VolumeStats } from '../volume/types.js';
import { BlocksMainFile } from './blocks-main-file.js';
import type { LayoutBackend } from './main-file.js';
import { ObjectMainFile } from './object-main-file.js';
import { processLocks, releaseLocks } from './process-locks.js';

const DEFAULT_READ_AHEAD = 64;
const DEFAULT_WRITE_BUFFER = 16 * 1024 * 1024;

/** Options of the layouts other than s3lite's (the subset of `open()`'s that applies). */
export interface LayoutOptions {
  cache?: PageCache;
  readAheadMax?: number;
  /** Blocks layout: bytes of changed blocks buffered before some are stored early. */
  writeBufferBytes?: number;
  readOnly?: boolean;
  /** Blocks layout: the promise, needed to write, that no other process writes the database. */
  singleWriter?: boolean;
  /** Blocks layout: bytes per block (default: inferred; 4096 for a new database). */
  blockSize?: number;
}

/** A database in the blocks layout of sqlite-s3vfs, under its prefix. */
export class BlocksBackend implements LayoutBackend {
  readonly layout = 'blocks';
  private closed = false;

  private constructor(
    readonly store: ObjectStore,
    readonly prefix: string,
    readonly mainFile: BlocksMainFile,
  ) {}

  /**
   * Open the database under `prefix` (created by its first write when nothing is there).
   * Writable only with `singleWriter`; see {@link BlocksMainFile}.
   */
  static async open(
    store: ObjectStore,
    prefix: string,
    options: LayoutOptions,
  ): Promise<BlocksBackend> {
    if (prefix === '') {
      throw new InvalidArgumentError('a database in the blocks layout needs a non-empty prefix');
    }
    const where = `"${prefix}" in ${store.location}`;
    const readOnlyReason = options.readOnly
      ? `${where} is open read-only`
      : options.singleWriter
        ? undefined
        : `${where} is in the blocks layout (sqlite-s3vfs), which cannot lock out other ` +
          `writers: open it with singleWriter: true to write, promising that no other ` +
          `process writes it meanwhile`;
    const locks = processLocks(store.location, prefix);
    try {
      const main = await BlocksMainFile.open(
        store,
        prefix,
        {
          blockSize: options.blockSize,
          cache: options.cache ?? sharedPageCache(),
          readAheadMax: options.readAheadMax ?? DEFAULT_READ_AHEAD,
          writeBufferBytes: options.writeBufferBytes ?? DEFAULT_WRITE_BUFFER,
          readOnlyReason,
        },
        locks,
      );
      return new BlocksBackend(store, prefix, main);
    } catch (error) {
      releaseLocks(store.location, prefix);
      throw error;
    }
  }

  /** Whether the store holds the database (its block 0), rather than nothing yet. */
  get exists(): boolean {
    return this.mainFile.firstBlock !== undefined;
  }

  get snapshot(): CommitInfo {
    const first = this.mainFile.firstBlock;
    return fileInfo((first && headerPageSize(first)) ?? 0, this.mainFile.size);
  }

  stats(): VolumeStats {
    const blocks = this.mainFile.blockStats;
    return {
      cacheHits: blocks.cacheHits,
      cacheMisses: blocks.cacheMisses,
      pagesPrefetched: blocks.blocksPrefetched,
      commits: this.mainFile.commits,
      conflicts: 0,
      turns: 0,
      pagesUploadedEarly: blocks.blocksWrittenEarly,
      backgroundErrors: 0,
    };
  }

  gc(): Promise<GcReport> {
    return Promise.reject(notS3lite(this.prefix, 'blocks'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    releaseLocks(this.store.location, this.prefix);
  }
}

/** A regular SQLite database stored as one object, opened read-only in place. */
export class ObjectBackend implements LayoutBackend {
  readonly layout = 'object';

  private constructor(
    readonly store: ObjectStore,
    readonly prefix: string,
    readonly mainFile: ObjectMainFile,
  ) {}

  /**
   * Open the object `key` (one ranged GET).
   * @throws NotFoundError when there is no such object; NotADatabaseError when it is not a
   *   SQLite database.
   */
  static async open(
    store: ObjectStore,
    key: string,
    options: LayoutOptions,
  ): Promise<ObjectBackend> {
    const object = await ObjectFile.open(store, key, {
      cache: options.cache ?? sharedPageCache(),
      readAheadMax: options.readAheadMax ?? DEFAULT_READ_AHEAD,
    });
    return new ObjectBackend(store, key, new ObjectMainFile(object));
  }

  get snapshot(): CommitInfo {
    const { pageSize, size } = this.mainFile.object;
    return fileInfo(pageSize, size);
  }

  stats(): VolumeStats {
    const object = this.mainFile.object.stats();
    return {
      cacheHits: object.cacheHits,
      cacheMisses: object.cacheMisses,
      pagesPrefetched: object.pagesPrefetched,
      commits: 0,
      conflicts: 0,
      turns: 0,
      pagesUploadedEarly: 0,
      backgroundErrors: 0,
    };
  }

  gc(): Promise<GcReport> {
    return Promise.reject(notS3lite(this.prefix, 'object'));
  }

  async close(): Promise<void> {}
}

/** A file of another layout as a commit: commit 0, its page size and its pages. */
function fileInfo(pageSize: number, size: number): CommitInfo {
  return {
    seq: 0,
    txid: '',
    time: 0,
    pageSize,
    pageCount: pageSize > 0 ? Math.ceil(size / pageSize) : 0,
    changedPages: 0,
  };
}

function notS3lite(prefix: string, layout: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `"${prefix}" is in the ${layout} layout: garbage collection is for the s3lite format`,
  );
}

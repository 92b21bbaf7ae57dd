import { InvalidArgumentError } from '../../errors.js';
import { headerPageSize } from '../../format/sqlite-header.js';
import type { ObjectStore } from '../../store/types.js';
import { sharedPageCache } from '../../volume/page-cache.js';
import { DEFAULT_WRITE_BUFFER_BYTES } from '../../volume/settings.js';
import type { CommitInfo, VolumeStats } from '../../volume/types.js';
import {
  DEFAULT_READ_AHEAD,
  fileCommitInfo,
  type Backend,
  type LayoutOptions,
} from '../backend.js';
import { BlocksMainFile } from './blocks-main-file.js';
import { processLocks, releaseLocks } from './process-locks.js';

/** A database in the blocks layout of sqlite-s3vfs, under its prefix. */
export class BlocksBackend implements Backend {
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
          writeBufferBytes: options.writeBufferBytes ?? DEFAULT_WRITE_BUFFER_BYTES,
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
    return fileCommitInfo((first && headerPageSize(first)) ?? 0, this.mainFile.size);
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    releaseLocks(this.store.location, this.prefix);
  }
}

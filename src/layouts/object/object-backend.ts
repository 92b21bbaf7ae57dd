import { sharedPageCache } from '../../volume/page-cache.js';
import type { ObjectStore } from '../../store/types.js';
import type { CommitInfo, VolumeStats } from '../../volume/types.js';
import {
  DEFAULT_READ_AHEAD,
  fileCommitInfo,
  type Backend,
  type LayoutOptions,
} from '../backend.js';
import { ObjectFile } from './object-file.js';
import { ObjectMainFile } from './object-main-file.js';

/** A regular SQLite database stored as one object, opened read-only in place. */
export class ObjectBackend implements Backend {
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
    return fileCommitInfo(pageSize, size);
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

  async close(): Promise<void> {}
}

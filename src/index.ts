/**
 * s3lite: SQLite databases in S3-compatible object storage.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export { realClock, realRandom, type Clock, type Random } from './clock.js';
export * from './store/index.js';
export * from './db/index.js';
export {
  Volume,
  PageCache,
  type CommitInfo,
  type VolumeOptions,
  type VolumeStats,
} from './volume/index.js';
export * from './serialize/index.js';
export type { Layout } from './vfs/index.js';
export {
  DEFAULT_BLOCK_SIZE,
  readBlocksDatabase,
  writeBlocksDatabase,
  type BlocksLocation,
  type BlocksSource,
  type WriteBlocksOptions,
} from './layouts/index.js';
export * from './meta-store/index.js';

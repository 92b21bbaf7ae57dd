// The declarations use wa-sqlite's global `SQLiteAPI` type and its FacadeVFS class, which it
// ships untyped (types/ declares it; src/ and dist/ are siblings, so the path holds for both):
// these references bring both into a consumer's program.
/// <reference types="@journeyapps/wa-sqlite" preserve="true" />
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an import would not survive into dist/index.d.ts
/// <reference path="../types/wa-sqlite-facade-vfs.d.ts" preserve="true" />
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
export {
  DEFAULT_BLOCK_SIZE,
  type Layout,
  readBlocksDatabase,
  writeBlocksDatabase,
  type BlocksLocation,
  type BlocksSource,
  type WriteBlocksOptions,
} from './layouts/index.js';
export * from './meta-store/index.js';

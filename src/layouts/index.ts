export type { Backend, Layout } from './backend.js';
export { openBackend, type BackendOptions } from './open-backend.js';
export { blockKey } from './blocks/block-keys.js';
export { DEFAULT_BLOCK_SIZE } from './backend.js';
export {
  readBlocksDatabase,
  writeBlocksDatabase,
  type BlocksLocation,
  type BlocksSource,
  type WriteBlocksOptions,
} from './blocks/blocks-transfer.js';
export { layoutFromUrl } from './url.js';

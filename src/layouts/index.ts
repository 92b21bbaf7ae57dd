export { blockKey } from './block-keys.js';
export { DEFAULT_BLOCK_SIZE } from './blocks-file.js';
export {
  readBlocksDatabase,
  writeBlocksDatabase,
  type BlocksLocation,
  type BlocksSource,
  type WriteBlocksOptions,
} from './blocks-transfer.js';
export { layoutFromUrl } from './url.js';

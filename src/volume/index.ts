export { Volume } from './volume.js';
export { PageCache, sharedPageCache, DEFAULT_CACHE_BYTES } from './page-cache.js';
export type { CommitInfo, VolumeOptions, VolumeStats } from './types.js';

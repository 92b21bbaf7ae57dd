export { Volume } from './volume.js';
export { PageCache, sharedPageCache, DEFAULT_CACHE_BYTES } from './page-cache.js';
export type { CommitInfo, VolumeOptions, VolumeStats } from './types.js';
export type { GcOptions, GcReport } from './gc.js';
export type { RetentionOptions } from './retention.js';
export { DEFAULT_GRACE_MS, DEFAULT_KEEP_FOR_MS } from './retention.js';
export { listCommits, historyRange, type HistoryRange } from './history.js';
export { collectGarbage } from './gc.js';

export * from './types.js';
export { StoreMetrics, type MetricsSnapshot, type LatencySnapshot } from './metrics.js';
export { BaseStore, DELETE_BATCH_SIZE, type BaseStoreOptions, type Attempt } from './base-store.js';
export type { RetryOptions } from './retry.js';
export { MemoryStore } from './memory-store.js';
export { FileStore } from './file-store.js';
export { S3Store, type S3StoreOptions, type S3Credentials } from './s3-store.js';
export { DelegatingStore } from './delegating-store.js';
export { storeFromUrl, type StoreLocation, type S3UrlOptions } from './url.js';

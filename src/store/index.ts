export * from './types.js';
export { StoreMetrics, type MetricsSnapshot, type LatencySnapshot } from './metrics.js';
export { BaseStore, DELETE_BATCH_SIZE, type BaseStoreOptions, type Attempt } from './base-store.js';
export type { RetryOptions } from './retry.js';
export { MemoryStore } from './memory-store.js';
export { FileStore } from './file-store.js';
export { S3Store, type S3StoreOptions } from './s3-store.js';
export { FetchS3Store, type FetchS3StoreOptions } from './fetch-s3-store.js';
export type {
  S3Credentials,
  S3CredentialsProvider,
  S3LocationOptions,
} from './s3-compatible-store.js';
export { DelegatingStore } from './delegating-store.js';
export { storeFromUrl, type StoreLocation, type S3UrlOptions } from './url.js';

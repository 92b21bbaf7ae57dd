// See index.ts: these references bring wa-sqlite's global types into a consumer's program.
/// <reference types="@journeyapps/wa-sqlite" preserve="true" />
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an import would not survive into dist/web.d.ts
/// <reference path="../types/wa-sqlite-facade-vfs.d.ts" preserve="true" />
/**
 * s3lite for browsers and Cloudflare Workers: what runs on standard JavaScript alone, with
 * S3 reached over signed `fetch` ({@link FetchS3Store}; `s3://` URLs open one). Bundlers
 * pick this entry by the package's `browser` and `workerd` conditions. Not here: what needs
 * a file system or Node's streams (FileStore, file import and export, the CLI) and the AWS
 * SDK's S3Store.
 *
 * @packageDocumentation
 */
export * from './portable.js';
export * from './store/types.js';
export { StoreMetrics, type MetricsSnapshot, type LatencySnapshot } from './store/metrics.js';
export {
  BaseStore,
  DELETE_BATCH_SIZE,
  type BaseStoreOptions,
  type Attempt,
} from './store/base-store.js';
export type { RetryOptions } from './store/retry.js';
export { MemoryStore } from './store/memory-store.js';
export { FetchS3Store, type FetchS3StoreOptions } from './store/fetch-s3-store.js';
export type {
  S3Credentials,
  S3CredentialsProvider,
  S3LocationOptions,
} from './store/s3-compatible-store.js';
export { DelegatingStore } from './store/delegating-store.js';
export { storeFromUrl, type StoreLocation, type S3UrlOptions } from './store/web-url.js';
export { setSqliteWasm, type SqliteWasmSource } from './platform/web.js';

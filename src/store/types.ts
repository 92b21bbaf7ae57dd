import type { StoreMetrics } from './metrics.js';

/** The kinds of request an {@link ObjectStore} makes; metrics are counted per kind. */
export type StoreOperation = 'get' | 'head' | 'put' | 'delete' | 'deleteMany' | 'list';

/** What a store knows about one object. ETags are always given without quotes. */
export interface ObjectInfo {
  key: string;
  /** Entity tag, unquoted. Changes whenever the object's content is replaced. */
  etag: string;
  /** Size of the whole object in bytes. */
  size: number;
  /**
   * When the object was last written, by the store's clock. Listings fill it in (garbage
   * collection tells a live writer's fresh uploads from old orphans by it).
   */
  lastModified?: Date;
}

/** A byte range: `length` bytes from `offset`; without `length`, to the end of the object. */
export interface ByteRange {
  offset: number;
  length?: number;
}

export interface GetOptions {
  /** Read only these bytes. A range that starts at or beyond the end fails with `INVALID_RANGE`. */
  range?: ByteRange;
  /** Succeed only while the object still has this ETag (`PRECONDITION_FAILED` otherwise). */
  ifMatch?: string;
  signal?: AbortSignal;
}

export interface GetResult extends ObjectInfo {
  /** The bytes read (the range asked for, or the whole object). */
  body: Uint8Array;
}

export interface PutOptions {
  /** `'*'`: create only; fails with `PRECONDITION_FAILED` when the key exists. */
  ifNoneMatch?: '*';
  /** Replace only while the object has this ETag; `NOT_FOUND` when the key is missing. */
  ifMatch?: string;
  signal?: AbortSignal;
}

export interface PutResult {
  etag: string;
}

export interface ListOptions {
  /** List keys strictly after this one. */
  startAfter?: string;
  /** At most this many keys (1–1000; default 1000). */
  maxKeys?: number;
  signal?: AbortSignal;
}

export interface ListPage {
  /** Objects in ascending order of their keys' UTF-8 bytes. */
  objects: ObjectInfo[];
  /** True when more keys follow; ask again with `startAfter` = the last key. */
  truncated: boolean;
}

export interface StreamGetOptions {
  /** Succeed only while the object still has this ETag. */
  ifMatch?: string;
  signal?: AbortSignal;
}

export interface StreamGetResult {
  info: ObjectInfo;
  /** The object's bytes, in chunks of any size. */
  body: AsyncIterable<Uint8Array>;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** Which conditional writes a store really honours, as found by {@link ObjectStore.probeConditionalWrites}. */
export interface ConditionalWriteSupport {
  /** A create-only PUT of an existing key is refused. */
  ifNoneMatch: boolean;
  /** A PUT with a stale ETag is refused and one with the current ETag succeeds. */
  ifMatch: boolean;
}

/**
 * A flat key → bytes object store with the S3 semantics s3lite relies on. Implemented by
 * `S3Store`, `MemoryStore` and `FileStore`, which behave identically, and by wrappers that
 * add latency, inject faults or drop conditional headers.
 */
export interface ObjectStore {
  /** Where the objects live, for messages: `s3://bucket at http://host:port`, a directory, … */
  readonly location: string;
  /** Request counters, bytes and latency, readable and resettable at any time. */
  readonly metrics: StoreMetrics;

  /** Read an object or a byte range of it. `NOT_FOUND` when missing. */
  get(key: string, options?: GetOptions): Promise<GetResult>;
  /** Size and ETag of an object. `NOT_FOUND` when missing. */
  head(key: string, options?: RequestOptions): Promise<ObjectInfo>;
  /** Write an object, optionally only if absent or only if unchanged. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<PutResult>;
  /**
   * Read a whole object as a stream of chunks, for objects too large to hold in memory
   * (database files). One request, no retries and no time limit: the caller restarts.
   */
  getStream(key: string, options?: StreamGetOptions): Promise<StreamGetResult>;
  /**
   * Write an object from a stream of chunks, of any size (multipart on S3). The object
   * appears whole when the stream ends, or not at all.
   */
  putStream(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options?: RequestOptions,
  ): Promise<PutResult>;
  /** Delete an object; deleting a missing key succeeds. */
  delete(key: string, options?: RequestOptions): Promise<void>;
  /** Delete many objects, 1,000 keys per request; missing keys are not errors. */
  deleteMany(keys: readonly string[], options?: RequestOptions): Promise<void>;
  /** One page of the keys that start with `prefix`. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /** Every object under `prefix`, page after page. */
  listAll(prefix: string, options?: Omit<ListOptions, 'maxKeys'>): AsyncIterable<ObjectInfo>;
  /**
   * Find out whether the store really honours conditional writes, with a few requests on a
   * scratch key under `prefix` that is removed afterwards.
   */
  probeConditionalWrites(
    prefix: string,
    options?: RequestOptions,
  ): Promise<ConditionalWriteSupport>;
  /** Release connections and file handles. The store is unusable afterwards. */
  close(): Promise<void>;
}

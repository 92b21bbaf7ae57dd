import type { ObjectStore } from '../store/types.js';
import { storeFromUrl, type S3UrlOptions, type StoreLocation } from '../store/url.js';
import { collectGarbage, type GcOptions, type GcReport } from '../volume/gc.js';
import { listCommits } from '../volume/history.js';
import type { CommitInfo } from '../volume/types.js';

/** Where a maintenance call works: a URL (with S3 settings) or a store and a prefix. */
interface Reach {
  /** Endpoint, region, credentials… for `s3://` locations (default: the AWS environment). */
  s3?: S3UrlOptions;
}

/** Options of {@link gc}. */
export interface GcCallOptions extends GcOptions, Reach {}

/** Options of {@link commitLog}. */
export interface CommitLogOptions extends Reach {
  /** At most this many commits, newest first (default: all retained ones). */
  limit?: number;
}

/**
 * Collect garbage in a database without opening it: delete the commit records, checkpoints and
 * page objects that no retained commit needs, and page objects of writers that never committed
 * once older than the grace period. Safe while other processes read and write; see
 * {@link GcOptions} and {@link RetentionOptions} for what is kept.
 */
export function gc(
  location: string | StoreLocation,
  options: GcCallOptions = {},
): Promise<GcReport> {
  const { s3, ...gcOptions } = options;
  return withStore(location, s3, (store, prefix) => collectGarbage(store, prefix, gcOptions));
}

/** The retained commits of a database, newest first (number, time, transaction, pages, size). */
export function commitLog(
  location: string | StoreLocation,
  options: CommitLogOptions = {},
): Promise<CommitInfo[]> {
  return withStore(location, options.s3, (store, prefix) =>
    listCommits(store, prefix, options.limit),
  );
}

/** Run `fn` on the location's store, closing the store afterwards if a URL made it. */
async function withStore<T>(
  location: string | StoreLocation,
  s3: S3UrlOptions | undefined,
  fn: (store: ObjectStore, prefix: string) => Promise<T>,
): Promise<T> {
  const { store, prefix } = typeof location === 'string' ? storeFromUrl(location, s3) : location;
  try {
    return await fn(store, prefix);
  } finally {
    if (typeof location === 'string') await store.close();
  }
}

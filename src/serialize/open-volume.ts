import { databasePrefix } from '../format/keys.js';
import type { MetricsSnapshot } from '../store/metrics.js';
import type { ObjectStore } from '../store/types.js';
import { storeFromUrl, type S3UrlOptions, type StoreLocation } from '../store/url.js';
import { PageCache } from '../volume/page-cache.js';
import type { VolumeOptions } from '../volume/types.js';
import { Volume } from '../volume/volume.js';
import { PageStoreWatcher } from './stored-pages.js';

/** A database for one import or export, and how to let go of it. */
export interface TransferVolume {
  volume: Volume;
  store: ObjectStore;
  /** Requests made on the store since the volume was opened, by kind. */
  requests(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * Open `location` for a bulk transfer: its pages stream through once, so they bypass the
 * shared page cache (a one-byte cache keeps nothing) and the transfer does its own parallel
 * fetching instead of read-ahead. A store made from a URL is closed with the volume.
 * `onPageStored`, when given, is called as each page the volume uploads is stored.
 */
export async function openForTransfer(
  location: string | StoreLocation,
  s3: S3UrlOptions | undefined,
  options: VolumeOptions,
  onPageStored?: () => void,
): Promise<TransferVolume> {
  const owned = typeof location === 'string';
  const { store, prefix } = owned ? storeFromUrl(location, s3) : location;
  const before = store.metrics.snapshot();
  // The watcher is not closed: closing it would close the store under it, which a caller
  // who passed a store still owns. It holds nothing of its own.
  const volumeStore =
    onPageStored === undefined
      ? store
      : new PageStoreWatcher(store, `${databasePrefix(prefix)}pages/`, onPageStored);
  try {
    const volume = await Volume.open(volumeStore, prefix, {
      cache: new PageCache(1),
      readAheadMax: 0,
      ...options,
    });
    return {
      volume,
      store,
      requests: () => requestsSince(before, store.metrics.snapshot()),
      close: async () => {
        await volume.close();
        if (owned) await store.close();
      },
    };
  } catch (error) {
    if (owned) await store.close();
    throw error;
  }
}

function requestsSince(before: MetricsSnapshot, after: MetricsSnapshot): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after.requests).map(([op, n]) => [
      op,
      n - (before.requests[op as keyof typeof before.requests] ?? 0),
    ]),
  );
}

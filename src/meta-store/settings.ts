import { InvalidArgumentError } from '../errors.js';
import type { Encoding, MetaStoreOptions } from './types.js';

/**
 * A metadata store's options, checked once at open, with their defaults filled in: every bad
 * option is an `InvalidArgumentError` naming it, before any request is made.
 */

/** Options with their defaults filled in. */
export interface Settings {
  table: string;
  encoding: Encoding;
  autoSync: boolean;
  syncInterval: number;
  readCheckInterval: number;
  onConflict: 'retry' | 'error';
  indexedFields: readonly string[];
  onSyncError: ((error: Error) => void) | undefined;
}

/** Check `options` and fill in the defaults. */
export function checkOptions(options: MetaStoreOptions, owned: boolean): Settings {
  const millis = (value: number | undefined, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidArgumentError(`${name} must be a finite number of milliseconds ≥ 0`);
    }
    return value;
  };
  const encoding = options.encoding ?? 'json';
  if (encoding !== 'json' && encoding !== 'msgpack') {
    throw new InvalidArgumentError(`encoding must be 'json' or 'msgpack', not ${String(encoding)}`);
  }
  const onConflict = options.onConflict ?? 'retry';
  if (onConflict !== 'retry' && onConflict !== 'error') {
    throw new InvalidArgumentError(
      `onConflict must be 'retry' or 'error', not ${String(onConflict)}`,
    );
  }
  const autoSync = options.autoSync ?? true;
  if (typeof autoSync !== 'boolean') throw new InvalidArgumentError('autoSync must be a boolean');
  const syncInterval = millis(options.syncInterval, 'syncInterval', 0);
  if (!autoSync && syncInterval > 0) {
    throw new InvalidArgumentError('syncInterval needs autoSync: without it only sync() commits');
  }
  if (!owned && options.openOptions !== undefined) {
    throw new InvalidArgumentError(
      'openOptions apply when the store opens the database, not to an open one',
    );
  }
  if (!owned && (options.readCheckInterval ?? 0) > 0) {
    throw new InvalidArgumentError(
      'readCheckInterval needs a connection of the store’s own (open it from a URL or a store and prefix): on an open database every read checks the head',
    );
  }
  const indexedFields = options.indexedFields ?? [];
  if (!Array.isArray(indexedFields))
    throw new InvalidArgumentError('indexedFields must be an array');
  return {
    table: options.table ?? 'resource_meta',
    encoding,
    autoSync,
    syncInterval,
    readCheckInterval: owned ? millis(options.readCheckInterval, 'readCheckInterval', 1000) : 0,
    onConflict,
    indexedFields,
    onSyncError: options.onSyncError,
  };
}

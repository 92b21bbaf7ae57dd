import { InvalidArgumentError } from '../errors.js';
import { MemoryStore } from './memory-store.js';
import { redactUrlPasswords } from './redact.js';
import type { ObjectStore } from './types.js';

/** A store and the key prefix a URL points at. */
export interface StoreLocation {
  store: ObjectStore;
  /** Key prefix without a trailing slash (may be empty). */
  prefix: string;
}

/** How the runtime's entry point opens the stores that differ between runtimes. */
export interface LocationOpeners {
  s3(bucket: string, prefix: string): StoreLocation;
  file(url: URL, text: string): StoreLocation;
}

const memoryStores = new Map<string, MemoryStore>();

/**
 * Resolve a location URL: `s3://bucket/prefix` and `file:///dir/prefix` through `openers`,
 * `memory://name/prefix` to a {@link MemoryStore} shared by every URL of the same `name` in
 * this process.
 */
export function resolveLocation(url: string, openers: LocationOpeners): StoreLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new InvalidArgumentError(
      `malformed location URL "${redactUrlPasswords(url)}": expected s3://bucket/prefix, ` +
        `file:///dir/prefix or memory://name/prefix`,
      { cause: error },
    );
  }
  const keyPath = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  switch (parsed.protocol) {
    case 's3:': {
      if (!parsed.hostname)
        throw new InvalidArgumentError(`URL "${url}" names no bucket: expected s3://bucket/prefix`);
      return openers.s3(parsed.hostname, keyPath);
    }
    case 'file:':
      return openers.file(parsed, url);
    case 'memory:': {
      const name = parsed.hostname || 'default';
      let store = memoryStores.get(name);
      if (!store) {
        store = new MemoryStore({ name });
        memoryStores.set(name, store);
      }
      return { store, prefix: keyPath };
    }
    default:
      throw new InvalidArgumentError(
        `unsupported location URL "${url}": use s3://bucket/prefix, file:///dir/prefix or memory://name/prefix`,
      );
  }
}

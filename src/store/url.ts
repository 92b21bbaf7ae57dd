import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../errors.js';
import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';
import { redactUrlPasswords } from './redact.js';
import { S3Store, type S3StoreOptions } from './s3-store.js';
import type { ObjectStore } from './types.js';

/** A store and the key prefix a URL points at. */
export interface StoreLocation {
  store: ObjectStore;
  /** Key prefix without a trailing slash (may be empty). */
  prefix: string;
}

/** S3 settings for `s3://` URLs (bucket and prefix come from the URL). */
export type S3UrlOptions = Omit<S3StoreOptions, 'bucket'>;

const memoryStores = new Map<string, MemoryStore>();

/**
 * Resolve a location URL:
 * - `s3://bucket/prefix`: an {@link S3Store} (endpoint, region and credentials from `s3`
 *   or the standard AWS environment);
 * - `file:///dir/prefix`: a {@link FileStore} rooted at `/dir`, keys under `prefix` (the last
 *   path segment);
 * - `memory://name/prefix`: a {@link MemoryStore} shared by every URL of the same `name` in
 *   this process.
 */
export function storeFromUrl(url: string, s3: S3UrlOptions = {}): StoreLocation {
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
      return { store: new S3Store({ ...s3, bucket: parsed.hostname }), prefix: keyPath };
    }
    case 'file:': {
      let file: string;
      try {
        file = fileURLToPath(parsed);
      } catch (error) {
        // Node refuses an encoded "/" (%2F) and a host: say so in its words, typed.
        throw new InvalidArgumentError(
          `file URL "${url}" is not a local path: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const prefix = path.basename(file);
      if (!prefix)
        throw new InvalidArgumentError(`URL "${url}" names no prefix: expected file:///dir/prefix`);
      return { store: new FileStore({ root: path.dirname(file) }), prefix };
    }
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

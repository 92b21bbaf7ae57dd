import { InvalidArgumentError } from '../errors.js';
import { FetchS3Store } from './fetch-s3-store.js';
import { resolveLocation, type StoreLocation } from './location-url.js';
import type { S3UrlOptions } from './url.js';

export type { StoreLocation } from './location-url.js';
export type { S3UrlOptions } from './url.js';

/**
 * `./url.js` for browsers and Workers (the package's `browser` field points bundlers here):
 * `s3://bucket/prefix` opens a {@link FetchS3Store} (credentials in `s3`, or from the
 * environment where there is one), `memory://name/prefix` a shared {@link MemoryStore}, and
 * `file://` is refused: there is no file system.
 */
export function storeFromUrl(url: string, s3: S3UrlOptions = {}): StoreLocation {
  return resolveLocation(url, {
    s3: (bucket, prefix) => ({ store: new FetchS3Store({ ...s3, bucket }), prefix }),
    file(_parsed, text) {
      throw new InvalidArgumentError(
        `file URL "${text}" needs a file system: open it from Node, Bun or Deno`,
      );
    },
  });
}

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../errors.js';
import { FileStore } from './file-store.js';
import { resolveLocation, type StoreLocation } from './location-url.js';
import { S3Store, type S3StoreOptions } from './s3-store.js';

export type { StoreLocation } from './location-url.js';

/** S3 settings for `s3://` URLs (bucket and prefix come from the URL). */
export type S3UrlOptions = Omit<S3StoreOptions, 'bucket'>;

/**
 * Resolve a location URL:
 * - `s3://bucket/prefix`: an {@link S3Store} (endpoint, region and credentials from `s3`
 *   or the standard AWS environment);
 * - `file:///dir/prefix`: a {@link FileStore} rooted at `/dir`, keys under `prefix` (the last
 *   path segment);
 * - `memory://name/prefix`: a {@link MemoryStore} shared by every URL of the same `name` in
 *   this process.
 *
 * In browsers and Workers, bundlers take `./web-url.js` instead (the package's `browser`
 * field): `s3://` there opens a {@link FetchS3Store}, and `file://` is refused.
 */
export function storeFromUrl(url: string, s3: S3UrlOptions = {}): StoreLocation {
  return resolveLocation(url, {
    s3: (bucket, prefix) => ({ store: new S3Store({ ...s3, bucket }), prefix }),
    file(parsed, text) {
      let file: string;
      try {
        file = fileURLToPath(parsed);
      } catch (error) {
        // Node refuses an encoded "/" (%2F) and a host: say so in its words, typed.
        throw new InvalidArgumentError(
          `file URL "${text}" is not a local path: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const prefix = path.basename(file);
      if (!prefix)
        throw new InvalidArgumentError(
          `URL "${text}" names no prefix: expected file:///dir/prefix`,
        );
      return { store: new FileStore({ root: path.dirname(file) }), prefix };
    },
  });
}

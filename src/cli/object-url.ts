import { InvalidArgumentError } from '../errors.js';
import { ifExists } from '../store/get-if-exists.js';
import { S3Store, type ObjectStore } from '../store/index.js';
import type { S3UrlOptions } from '../store/url.js';

/** A single object named by `s3://bucket/key`, for import sources and export targets. */
export function objectFromUrl(url: string, s3: S3UrlOptions): { store: ObjectStore; key: string } {
  const parsed = new URL(url);
  const key = decodeURIComponent(parsed.pathname).replace(/^\/+/, '');
  if (!parsed.hostname || !key) {
    throw new InvalidArgumentError(`"${url}" does not name an object: expected s3://bucket/key`);
  }
  return { store: new S3Store({ ...s3, bucket: parsed.hostname }), key };
}

/** Whether a command-line argument names an S3 object rather than a local file. */
export function isS3Url(argument: string): boolean {
  return argument.startsWith('s3://');
}

/** Whether the object exists (one HEAD request). */
export async function objectExists(object: { store: ObjectStore; key: string }): Promise<boolean> {
  return (await ifExists(object.store.head(object.key))) !== undefined;
}

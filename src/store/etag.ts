import { createHash } from 'node:crypto';

/** The ETag S3 gives a single-part upload: the hex MD5 of the body, here without quotes. */
export function md5Etag(body: Uint8Array): string {
  return createHash('md5').update(body).digest('hex');
}

/** ETags travel quoted in HTTP; s3lite keeps them unquoted everywhere. */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^(W\/)?"(.*)"$/, '$2');
}

/** The `Content-MD5` header of `body`: its MD5 digest in base64. */
export function contentMd5(body: Uint8Array): string {
  return createHash('md5').update(body).digest('base64');
}

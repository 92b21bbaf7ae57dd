import { digestHex } from '../platform/host.js';

/** The ETag S3 gives a single-part upload: the hex MD5 of the body, here without quotes. */
export function md5Etag(body: Uint8Array): string {
  return digestHex('md5', body);
}

/** ETags travel quoted in HTTP; s3lite keeps them unquoted everywhere. */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^(W\/)?"(.*)"$/, '$2');
}

/** The `Content-MD5` header of `body`: its MD5 digest in base64. */
export function contentMd5(body: Uint8Array): string {
  const hex = digestHex('md5', body);
  return btoa(String.fromCharCode(...(hex.match(/../g) ?? []).map((pair) => parseInt(pair, 16))));
}

/** The URL scheme of databases in the blocks layout: `s3vfs://bucket/prefix`. */
const BLOCKS_SCHEME = 's3vfs://';

/**
 * A location URL with the layout it implies: `s3vfs://bucket/prefix` is the S3 location
 * `s3://bucket/prefix` in the blocks layout (sqlite-s3vfs); any other URL implies nothing.
 */
export function layoutFromUrl(url: string): { url: string; layout?: 'blocks' } {
  if (!url.startsWith(BLOCKS_SCHEME)) return { url };
  return { url: `s3://${url.slice(BLOCKS_SCHEME.length)}`, layout: 'blocks' };
}

import { InvalidRangeError } from '../errors.js';
import type { ByteRange } from './types.js';

/**
 * The `[start, end)` bytes a range selects from an object of `size` bytes, with S3's rules:
 * a range may run past the end (it is cut short) but may not start at or beyond it.
 */
export function resolveRange(key: string, size: number, range: ByteRange): [number, number] {
  if (range.offset >= size) {
    throw new InvalidRangeError(key, `offset ${range.offset} is not below the size ${size}`);
  }
  const end = range.length === undefined ? size : Math.min(size, range.offset + range.length);
  return [range.offset, end];
}

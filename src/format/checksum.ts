import { crc32 } from '../platform/host.js';

/** CRC-32 of a page or record: catches torn, truncated and foreign objects. */
export function checksum(data: Uint8Array): number {
  return crc32(data);
}

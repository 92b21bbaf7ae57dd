import { blockKey } from '../../src/layouts/index.js';
import type { ObjectStore } from '../../src/store/index.js';

/** Every object under `<file>/`, by key: what sqlite-s3vfs's `serialize()` concatenates. */
export async function storedBlocks(
  store: ObjectStore,
  file: string,
): Promise<Array<{ key: string; size: number }>> {
  const blocks = [];
  for await (const { key, size } of store.listAll(`${file}/`)) blocks.push({ key, size });
  return blocks;
}

/** The concatenation of a file's block objects, in key order. */
export async function concatenatedBlocks(store: ObjectStore, file: string): Promise<Buffer> {
  const blocks = await storedBlocks(store, file);
  const bodies = await Promise.all(blocks.map(async ({ key }) => (await store.get(key)).body));
  return Buffer.concat(bodies);
}

/**
 * Store `bytes` exactly as sqlite-s3vfs lays a file out: blocks of `blockSize` bytes at
 * `<file>/<index, 10 digits>`, the last one short — or, with `pad`, padded with zeros to the
 * block size, as later sqlite-s3vfs releases write every block.
 */
export async function putAsBlocks(
  store: ObjectStore,
  file: string,
  bytes: Uint8Array,
  blockSize: number,
  pad = false,
): Promise<void> {
  const puts = [];
  for (let index = 0; index * blockSize < bytes.byteLength; index++) {
    let block = bytes.subarray(index * blockSize, (index + 1) * blockSize);
    if (pad && block.byteLength < blockSize) {
      const padded = new Uint8Array(blockSize);
      padded.set(block);
      block = padded;
    }
    puts.push(store.put(blockKey(file, index), block));
  }
  await Promise.all(puts);
}

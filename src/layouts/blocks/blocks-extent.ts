import { ifExists } from '../../store/get-if-exists.js';
import type { ObjectStore } from '../../store/types.js';
import { blockIndexOf, blockKey, blocksPrefix } from './block-keys.js';

/** One stored block: its index and its length in bytes. */
export interface StoredBlock {
  index: number;
  size: number;
}

/**
 * The length of a blocks file whose last block is `last`: where that block ends. Blocks
 * before it may be short or missing (SQLite leaves gaps, sqlite-s3vfs stores what it was
 * given), so summing the objects' sizes, as sqlite-s3vfs does, undercounts such a file.
 */
export function fileEnd(last: StoredBlock | undefined, blockSize: number): number {
  return last === undefined ? 0 : last.index * blockSize + last.size;
}

/** Every block of `file` in index order, by listing: one request per 1,000 blocks. */
export async function listBlocks(store: ObjectStore, file: string): Promise<StoredBlock[]> {
  const blocks: StoredBlock[] = [];
  for await (const object of store.listAll(blocksPrefix(file))) {
    const index = blockIndexOf(file, object.key);
    if (index !== undefined) blocks.push({ index, size: object.size });
  }
  // Keys sort by their digits, which is index order only while they have the same width.
  return blocks.sort((a, b) => a.index - b.index);
}

/**
 * The length of a blocks file that `expected` bytes long by its header, confirmed without
 * listing: the block where it would end exists and the block after it does not (one round
 * trip of HEADs; `known` spares the request for a block already fetched). Undefined when the
 * store disagrees with the header, and only a listing can tell.
 */
export async function confirmEnd(
  store: ObjectStore,
  file: string,
  blockSize: number,
  expected: number,
  known: StoredBlock,
): Promise<number | undefined> {
  const last = Math.ceil(expected / blockSize) - 1;
  const [lastBlock, nextBlock] = await Promise.all([
    last === known.index ? known : headBlock(store, file, last),
    headBlock(store, file, last + 1),
  ]);
  if (lastBlock === undefined || nextBlock !== undefined) return undefined;
  return fileEnd(lastBlock, blockSize);
}

async function headBlock(
  store: ObjectStore,
  file: string,
  index: number,
): Promise<StoredBlock | undefined> {
  const info = await ifExists(store.head(blockKey(file, index)));
  return info && { index, size: info.size };
}

import { ConflictError, DatabaseExistsError, NotFoundError } from '../../errors.js';
import type { ObjectStore } from '../../store/types.js';
import { PageCache } from '../../volume/page-cache.js';
import { blockKey, journalFile } from './block-keys.js';
import { BlocksFile, fetchBlock } from './blocks-file.js';
import { headerDatabaseSize } from '../../format/sqlite-header.js';

/** Where a database in the blocks layout lives, and its block size when it cannot be inferred. */
export interface BlocksLocation {
  store: ObjectStore;
  /** The database's name: its blocks are `<file>/0000000000`, `<file>/0000000001`, … */
  file: string;
  /** Bytes per block (default: inferred, see `open()`'s `blockSize`). */
  blockSize?: number;
}

/** A database in the blocks layout as a stream of its bytes, for `importDatabase()`. */
export interface BlocksSource {
  /** The database's length: what its header says when the stored file is longer (padding). */
  size: number;
  /** Names the source in messages. */
  name: string;
  chunks: AsyncIterable<Uint8Array>;
}

/** Bytes bypass the shared page cache: they stream through once. */
const NO_CACHE = new PageCache(1);
/** Blocks fetched in parallel per step of a transfer. */
const BLOCKS_PER_STEP = 64;

/**
 * Read a database in the blocks layout (sqlite-s3vfs) as a byte stream, `BLOCKS_PER_STEP`
 * blocks in parallel with the next step fetched while the current one is consumed. Refused
 * with `CONFLICT` while its rollback journal is hot (a writer was interrupted, or is still
 * writing): the blocks are then a mix of two states, which only SQLite's recovery can undo
 * (open the database once with s3lite, `singleWriter: true`).
 * @throws NotFoundError when `file` holds no block 0.
 */
export async function readBlocksDatabase(source: BlocksLocation): Promise<BlocksSource> {
  const { store, file } = source;
  const name = `"${file}" (blocks layout) in ${store.location}`;
  const [head, journalHead] = await Promise.all([
    fetchBlock(store, file, 0),
    fetchBlock(store, journalFile(file), 0),
  ]);
  if (!head) throw new NotFoundError(blockKey(file, 0), `${store.location} (no database there)`);
  // SQLite's own test: a journal is hot when its first byte is not zero.
  if (journalHead && (journalHead.body[0] ?? 0) !== 0) {
    throw new ConflictError(
      `${name} has a hot rollback journal (a writer was interrupted or is writing): open it ` +
        `once with s3lite (layout 'blocks', singleWriter: true) to roll it back, then retry`,
    );
  }
  const blocks = await BlocksFile.open(
    store,
    file,
    { blockSize: source.blockSize, cache: NO_CACHE, readAheadMax: 0, writeBufferBytes: 0 },
    head,
  );
  const size = Math.min(blocks.size, headerDatabaseSize(head.body) ?? blocks.size);
  const step = blocks.blockSize * BLOCKS_PER_STEP;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let next = size > 0 ? blocks.read(0, Math.min(step, size)) : undefined;
    for (let offset = step; next; offset += step) {
      const current = next;
      next = offset < size ? blocks.read(offset, Math.min(step, size - offset)) : undefined;
      // A consumer that stops early leaves the next step running: its outcome does not matter.
      next?.catch(() => undefined);
      yield await current;
    }
  }
  return { size, name, chunks: chunks() };
}

/** Options of {@link writeBlocksDatabase}. */
export interface WriteBlocksOptions {
  /** Bytes per block (sqlite-s3vfs's `block_size`). */
  blockSize: number;
  /** Replace a database (and any journal) already at the target. */
  overwrite?: boolean;
  /** Bytes of blocks buffered before they are stored in parallel (default 16 MiB). */
  bufferBytes?: number;
}

const DEFAULT_BUFFER = 16 * 1024 * 1024;

/**
 * Store a database's bytes in the blocks layout under `file`: every block full but the last,
 * uploaded in parallel, block 0 last — until it is stored, there is no database at `file`,
 * so an interrupted write leaves none (only stray blocks, which the next write replaces).
 * Returns the bytes written.
 * @throws DatabaseExistsError when `file` holds a database and `overwrite` is not set.
 */
export async function writeBlocksDatabase(
  target: { store: ObjectStore; file: string },
  chunks: AsyncIterable<Uint8Array>,
  options: WriteBlocksOptions,
): Promise<number> {
  const { store, file } = target;
  const settings = {
    blockSize: options.blockSize,
    cache: NO_CACHE,
    readAheadMax: 0,
    writeBufferBytes: options.bufferBytes ?? DEFAULT_BUFFER,
  };
  const out = BlocksFile.empty(store, file, settings);
  if (!options.overwrite && (await fetchBlock(store, file, 0))) {
    throw new DatabaseExistsError(
      `"${file}" in ${store.location} already holds a database in the blocks layout; ` +
        `export with overwrite to replace it`,
    );
  }
  // Old blocks past the new end, and an old journal, must not outlive the overwrite.
  for (const old of [file, journalFile(file)]) {
    await (await BlocksFile.openListed(store, old, settings, true)).remove();
  }
  let offset = 0;
  for await (const chunk of chunks) {
    await out.write(offset, chunk);
    offset += chunk.byteLength;
  }
  await out.flush();
  return offset;
}

import { CorruptError, InvalidArgumentError } from '../../errors.js';
import { ifExists } from '../../store/get-if-exists.js';
import type { ObjectStore } from '../../store/types.js';
import type { PageCache } from '../../volume/page-cache.js';
import { ReadAhead } from '../../volume/read-ahead.js';
import { DEFAULT_BLOCK_SIZE } from '../backend.js';
import { blockKey } from './block-keys.js';
import { confirmEnd, fileEnd, listBlocks } from './blocks-extent.js';
import { pageSpans } from '../../format/page-spans.js';
import { headerDatabaseSize } from '../../format/sqlite-header.js';

const EMPTY = new Uint8Array(0);

/** How a {@link BlocksFile} stores, caches and buffers its blocks. */
export interface BlocksFileOptions {
  /** Bytes per block object (the last block of a file may be shorter). */
  blockSize: number;
  /** Where blocks read or written are kept (shared with other files: keys are unique). */
  cache: PageCache;
  /** Most blocks fetched ahead of sequential reads (0: none). */
  readAheadMax: number;
  /** Bytes of changed blocks held before some are stored ahead of the next flush. */
  writeBufferBytes: number;
}

/** Counters of one {@link BlocksFile}. */
export interface BlocksFileStats {
  cacheHits: number;
  cacheMisses: number;
  blocksPrefetched: number;
  blocksWritten: number;
  /** Blocks stored ahead of a flush because the write buffer was full. */
  blocksWrittenEarly: number;
}

/** One block as the store holds it. */
export interface FetchedBlock {
  body: Uint8Array;
  etag: string;
}

/** Block `index` of `file`, or undefined when it is not stored. */
export async function fetchBlock(
  store: ObjectStore,
  file: string,
  index: number,
): Promise<FetchedBlock | undefined> {
  const found = await ifExists(store.get(blockKey(file, index)));
  return found && { body: found.body, etag: found.etag };
}

/** Distinguishes the cache entries of every BlocksFile of this process, old and new. */
let nextGeneration = 1;

/**
 * A byte-addressed file stored as fixed-size blocks, one object per block, in the layout of
 * sqlite-s3vfs (see block-keys.ts). Blocks are overwritten in place, so nothing here is
 * atomic beyond one block: the caller (SQLite and its rollback journal) provides crash safety.
 *
 * The rules that keep a file readable by sqlite-s3vfs and its size right after a crash:
 * - the size is where the last block ends (index × block size + its length), kept in
 *   memory once known; blocks before the last that are short or missing read as zeros;
 * - a write never leaves a short or missing block before the last one: a block that stops
 *   being the last is padded to the block size, and a gap is filled with blocks of zeros;
 * - block 0 makes the file exist (a journal is hot only with its header): it is written after
 *   the other blocks of a flush and deleted before them.
 *
 * Writes are buffered until {@link flush} (SQLite syncs before anything depends on them), or
 * stored early when the buffer is full. Reads go through the page cache, under keys unique to
 * this object, and read ahead on sequential access.
 */
export class BlocksFile {
  private length: number;
  /** Changed blocks not stored yet: their whole new content. */
  private readonly dirty = new Map<number, Uint8Array>();
  private dirtyBytes = 0;
  /** Blocks cut off by truncation and not deleted from the store yet. */
  private readonly cut = new Set<number>();
  private generation = nextGeneration++;
  private readonly readAhead: ReadAhead;
  private etag0: string | undefined;
  private block0: Uint8Array | undefined;
  private readonly counters: BlocksFileStats = {
    cacheHits: 0,
    cacheMisses: 0,
    blocksPrefetched: 0,
    blocksWritten: 0,
    blocksWrittenEarly: 0,
  };

  private constructor(
    readonly store: ObjectStore,
    /** The file's name: its blocks are `<file>/<index>`. */
    readonly file: string,
    size: number,
    private readonly options: BlocksFileOptions,
    head: FetchedBlock | undefined,
  ) {
    if (!(Number.isSafeInteger(options.blockSize) && options.blockSize >= 1)) {
      throw new InvalidArgumentError(
        `blockSize must be a whole number of bytes ≥ 1, not ${options.blockSize}`,
      );
    }
    this.length = size;
    this.readAhead = new ReadAhead(options.readAheadMax);
    if (head) {
      this.etag0 = head.etag;
      this.block0 = head.body;
      options.cache.set(this.cacheKey(0), head.body);
    }
  }

  /** A file known to be empty (nothing stored, or nothing that counts). */
  static empty(store: ObjectStore, file: string, options: BlocksFileOptions): BlocksFile {
    return new BlocksFile(store, file, 0, options, undefined);
  }

  /**
   * A database file whose block 0 is `head` (undefined: not stored, the file is empty). Its
   * size comes from the SQLite header, confirmed by one round trip of HEADs, or else from a
   * listing; always from a listing with `list` (after a crash, when its hot journal is there,
   * the file may hold blocks past what either header says, which the rollback must cut off).
   * Without `blockSize`, the block size is block 0's length when the file has more blocks,
   * and at least {@link DEFAULT_BLOCK_SIZE} when it has only one.
   */
  static async open(
    store: ObjectStore,
    file: string,
    options: Omit<BlocksFileOptions, 'blockSize'> & { blockSize?: number },
    head: FetchedBlock | undefined,
    list = false,
  ): Promise<BlocksFile> {
    if (!head) {
      return new BlocksFile(
        store,
        file,
        0,
        { ...options, blockSize: options.blockSize ?? DEFAULT_BLOCK_SIZE },
        undefined,
      );
    }
    const first = head.body.byteLength;
    const expected = list ? undefined : headerDatabaseSize(head.body);
    if (expected === undefined) {
      // The listing gives the size, and shows whether there are more blocks.
      const blocks = await listBlocks(store, file);
      const blockSize = blockSizeOf(store, file, first, options.blockSize, blocks.length > 1);
      const size = fileEnd(blocks.at(-1), blockSize);
      return new BlocksFile(store, file, size, { ...options, blockSize }, head);
    }
    const blockSize = blockSizeOf(store, file, first, options.blockSize, expected > first);
    const size =
      (await confirmEnd(store, file, blockSize, expected, { index: 0, size: first })) ??
      fileEnd((await listBlocks(store, file)).at(-1), blockSize);
    return new BlocksFile(store, file, size, { ...options, blockSize }, head);
  }

  /**
   * A file sized by listing its blocks (for journals, whose header gives no size). Blocks
   * without a block 0 are what a crash while deleting the file left behind: the file does
   * not exist, and with `removeStray` they are deleted, so that a new file cannot inherit them.
   */
  static async openListed(
    store: ObjectStore,
    file: string,
    options: BlocksFileOptions,
    removeStray: boolean,
  ): Promise<BlocksFile> {
    const blocks = await listBlocks(store, file);
    if (blocks.length > 0 && blocks[0]?.index !== 0) {
      if (removeStray) await store.deleteMany(blocks.map((b) => blockKey(file, b.index)));
      return new BlocksFile(store, file, 0, options, undefined);
    }
    return new BlocksFile(
      store,
      file,
      fileEnd(blocks.at(-1), options.blockSize),
      options,
      undefined,
    );
  }

  /** Bytes in the file, counting changes not stored yet. */
  get size(): number {
    return this.length;
  }

  get blockSize(): number {
    return this.options.blockSize;
  }

  /** The ETag of block 0 as last read or written here (undefined: not stored). */
  get headEtag(): string | undefined {
    return this.etag0;
  }

  /** Block 0 as last read or written here (changes not stored yet included). */
  get firstBlock(): Uint8Array | undefined {
    return this.block0;
  }

  stats(): BlocksFileStats {
    return { ...this.counters };
  }

  /** The reader is done with this stretch of reads: a new one starts read-ahead afresh. */
  endRead(): void {
    this.readAhead.reset();
  }

  /** Up to `length` bytes from `offset` (fewer at the end of the file). */
  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.length);
    if (end <= offset) return EMPTY;
    const out = new Uint8Array(end - offset);
    await Promise.all(
      pageSpans(offset, end, this.blockSize).map(async ({ index, pageStart, from, to }) => {
        // A short or missing block reads as zeros past its end: `out` is zeros already.
        const block = (await this.blockForRead(index)).subarray(from - pageStart, to - pageStart);
        out.set(block, from - offset);
      }),
    );
    return out;
  }

  /** Write `data` at `offset`, growing the file (with zeros in any gap) when it reaches past the end. */
  async write(offset: number, data: Uint8Array): Promise<void> {
    if (data.byteLength === 0) return;
    const size = this.blockSize;
    const end = offset + data.byteLength;
    const oldLength = this.length;
    const newLength = Math.max(oldLength, end);
    const newLast = Math.floor((newLength - 1) / size);
    // Rewritten: the blocks `data` covers and, when the file grows, its old last block (which
    // must become full) and every block of a gap before `offset`.
    let from = Math.floor(offset / size);
    if (end > oldLength)
      from = Math.min(from, oldLength === 0 ? 0 : Math.floor((oldLength - 1) / size));
    const to = Math.floor((end - 1) / size);
    const indexes = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const contents = await Promise.all(
      indexes.map(async (index) => {
        const start = index * size;
        const blockLength = index < newLast ? size : newLength - start;
        const dataFrom = Math.max(offset, start);
        const dataTo = Math.min(end, start + size);
        if (dataFrom === start && dataTo - start === blockLength) {
          return data.slice(dataFrom - offset, dataTo - offset);
        }
        const content = new Uint8Array(blockLength);
        if (start < oldLength) content.set((await this.current(index)).subarray(0, blockLength));
        if (dataTo > dataFrom)
          content.set(data.subarray(dataFrom - offset, dataTo - offset), dataFrom - start);
        return content;
      }),
    );
    indexes.forEach((index, i) => this.setDirty(index, contents[i] as Uint8Array));
    this.length = newLength;
    if (this.dirtyBytes > this.options.writeBufferBytes) await this.flush(false);
  }

  /** Cut the file to `size` bytes, or grow it with zeros. */
  async truncate(size: number): Promise<void> {
    if (size > this.length) return this.write(this.length, new Uint8Array(size - this.length));
    if (size === this.length) return;
    const blockSize = this.blockSize;
    const keep = Math.ceil(size / blockSize);
    const had = Math.ceil(this.length / blockSize);
    for (let index = keep; index < had; index++) {
      this.forget(index);
      this.cut.add(index);
    }
    if (keep > 0) {
      const last = keep - 1;
      const current = await this.current(last);
      const length = size - last * blockSize;
      if (current.byteLength !== length) {
        const content = new Uint8Array(length);
        content.set(current.subarray(0, length));
        this.setDirty(last, content);
      }
    } else {
      this.block0 = undefined;
    }
    this.length = size;
  }

  /**
   * Store every change: deletions of block 0 first, then the other blocks in parallel, then
   * block 0 (unless `final` is false: an early flush keeps block 0 for the real one).
   * Returns whether anything was stored or deleted.
   */
  async flush(final = true): Promise<boolean> {
    const before = this.counters.blocksWritten;
    const deletes = this.cut.size;
    if (this.cut.has(0)) {
      await this.store.delete(blockKey(this.file, 0));
      this.etag0 = undefined;
      this.cut.delete(0);
    }
    const early = !final;
    await Promise.all(
      [...this.dirty]
        .filter(([index]) => index !== 0)
        .map(([index, content]) => this.store1(index, content, early)),
    );
    if (this.cut.size > 0) {
      await this.store.deleteMany([...this.cut].map((index) => blockKey(this.file, index)));
      this.cut.clear();
    }
    const block0 = this.dirty.get(0);
    if (final && block0) await this.store1(0, block0, false);
    return deletes > 0 || this.counters.blocksWritten > before;
  }

  /** Delete the file from the store: block 0 first, so that a crash halfway leaves no file. */
  async remove(): Promise<void> {
    const stored = Math.ceil(this.length / this.blockSize);
    const rest = new Set([...this.cut]);
    for (let index = 1; index < stored; index++) rest.add(index);
    rest.delete(0);
    this.dirty.clear();
    this.dirtyBytes = 0;
    this.cut.clear();
    await this.store.delete(blockKey(this.file, 0));
    this.etag0 = undefined;
    this.block0 = undefined;
    this.length = 0;
    // Cached blocks of the deleted file must not come back if it is written again.
    this.generation = nextGeneration++;
    if (rest.size > 0) await this.store.deleteMany([...rest].map((i) => blockKey(this.file, i)));
  }

  private async store1(index: number, content: Uint8Array, early: boolean): Promise<void> {
    const { etag } = await this.store.put(blockKey(this.file, index), content);
    this.options.cache.set(this.cacheKey(index), content);
    if (index === 0) this.etag0 = etag;
    // Unless the block changed again while it was being stored.
    if (this.dirty.get(index) === content) this.forget(index);
    this.counters.blocksWritten += 1;
    if (early) this.counters.blocksWrittenEarly += 1;
  }

  private setDirty(index: number, content: Uint8Array): void {
    this.forget(index);
    this.cut.delete(index);
    this.dirty.set(index, content);
    this.dirtyBytes += content.byteLength;
    if (index === 0) this.block0 = content;
  }

  private forget(index: number): void {
    const previous = this.dirty.get(index);
    if (!previous) return;
    this.dirtyBytes -= previous.byteLength;
    this.dirty.delete(index);
  }

  /** A block's current content: changed, cut off (nothing), or as stored. */
  private current(index: number): Promise<Uint8Array> | Uint8Array {
    const changed = this.dirty.get(index);
    if (changed) return changed;
    if (this.cut.has(index)) return EMPTY;
    return this.load(index);
  }

  private blockForRead(index: number): Promise<Uint8Array> | Uint8Array {
    const blocks = Math.ceil(this.length / this.blockSize);
    for (const next of this.readAhead.next(index + 1, blocks)) this.prefetch(next - 1);
    return this.current(index);
  }

  private async load(index: number): Promise<Uint8Array> {
    const key = blockKey(this.file, index);
    const { page, hit } = await this.options.cache.getOrLoad(this.cacheKey(index), async () => {
      const body = (await fetchBlock(this.store, this.file, index))?.body ?? EMPTY;
      if (body.byteLength > this.blockSize) {
        throw new CorruptError(
          key,
          `block is ${body.byteLength} bytes, more than the block size ${this.blockSize}`,
        );
      }
      return body;
    });
    if (hit) this.counters.cacheHits += 1;
    else this.counters.cacheMisses += 1;
    return page;
  }

  private prefetch(index: number): void {
    if (this.dirty.has(index) || this.cut.has(index)) return;
    if (this.options.cache.has(this.cacheKey(index))) return;
    this.counters.blocksPrefetched += 1;
    // A failed prefetch is not an error: the real read fetches the block again and reports.
    this.load(index).catch(() => undefined);
  }

  private cacheKey(index: number): string {
    return `${this.store.location}\n${blockKey(this.file, index)}\n${this.generation}`;
  }
}

/**
 * The block size of a file whose block 0 is `first` bytes long: `given`, or else block 0's
 * length when there are more blocks (only the last block may be short), and at least
 * {@link DEFAULT_BLOCK_SIZE} when block 0 is the only one.
 */
function blockSizeOf(
  store: ObjectStore,
  file: string,
  first: number,
  given: number | undefined,
  moreBlocks: boolean,
): number {
  const blockSize = given ?? (moreBlocks ? first : Math.max(DEFAULT_BLOCK_SIZE, first));
  if (first > blockSize) {
    throw new InvalidArgumentError(
      `block 0 of "${file}" in ${store.location} is ${first} bytes, more than the block size ` +
        `${blockSize}: open it with the block size it was written with`,
    );
  }
  return blockSize;
}

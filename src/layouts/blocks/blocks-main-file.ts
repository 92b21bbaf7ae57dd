import * as SQLite from '@journeyapps/wa-sqlite';
import { ConflictError, ReadOnlyError } from '../../errors.js';
import { journalFile } from './block-keys.js';
import {
  BlocksFile,
  fetchBlock,
  type BlocksFileOptions,
  type BlocksFileStats,
} from './blocks-file.js';
import type { ObjectStore } from '../../store/types.js';
import { BlocksJournal } from './blocks-journal.js';
import { FileErrors } from '../../vfs/file-errors.js';
import { LOCK_EXCLUSIVE, LOCK_NONE, LOCK_SHARED, type MainFile } from '../../vfs/main-file.js';
import type { ProcessLocks } from './process-locks.js';

/** How a {@link BlocksMainFile} is opened. */
export interface BlocksMainFileOptions extends Omit<BlocksFileOptions, 'blockSize'> {
  /** Bytes per block; inferred from the stored blocks when not given (see `BlocksFile.open`). */
  blockSize?: number;
  /** Why the database cannot be written, or undefined when it can (single writer promised). */
  readOnlyReason: string | undefined;
}

/**
 * The main database file of a connection to a database in the blocks layout (sqlite-s3vfs).
 * SQLite runs its ordinary rollback journal on it, stored beside it ({@link BlocksJournal}):
 * there is no commit record, the journal is what makes a transaction atomic, and a writer
 * killed at any instant leaves a journal that the next connection plays back.
 *
 * Locks are SQLite's, among the connections of this process only ({@link ProcessLocks}):
 * the layout has nowhere to keep a lock, so there must be one writing process at most.
 *
 * What this connection knows (its cached blocks, the file's size, whether the journal
 * exists) stays valid while nobody else writes. A connection that may write trusts it until
 * another connection of this process has stored something; a read-only one checks at every
 * read transaction, with one GET of block 0 (whose header SQLite changes at every commit)
 * and one HEAD of the journal's block 0, in parallel, and starts afresh when either moved.
 */
export class BlocksMainFile implements MainFile {
  isOpen = false;
  /** Nothing is promised: SQLite journals and syncs as on a plain disk. */
  readonly deviceCharacteristics = 0;
  readonly journal: BlocksJournal;
  private readonly errors = new FileErrors();
  private lockLevel = LOCK_NONE;
  /** The opening has just looked at the store: the first read transaction need not. */
  private fresh = true;
  /** The process's write count when this connection last knew the store's state. */
  private seenWrites: number;
  /** Flushes that stored something: the transactions this connection wrote. */
  private flushes = 0;
  /** Counters of the files this connection read before it last started afresh. */
  private earlier: BlocksFileStats | undefined;

  private constructor(
    private blocks: BlocksFile,
    private readonly options: BlocksMainFileOptions,
    private readonly locks: ProcessLocks,
  ) {
    this.seenWrites = locks.writes;
    this.journal = new BlocksJournal(
      blocks.store,
      journalFile(blocks.file),
      options.readOnlyReason === undefined,
      {
        errors: this.errors,
        fileOptions: () => ({
          blockSize: this.blocks.blockSize,
          cache: this.options.cache,
          readAheadMax: this.options.readAheadMax,
          writeBufferBytes: this.options.writeBufferBytes,
        }),
        flushDatabase: () => this.flush(),
      },
    );
  }

  /**
   * Open the database stored under `file`: block 0 and the journal's block 0 in one round
   * trip, then the file's size (see `BlocksFile.open`).
   */
  static async open(
    store: ObjectStore,
    file: string,
    options: BlocksMainFileOptions,
    locks: ProcessLocks,
  ): Promise<BlocksMainFile> {
    const [head, journalStored] = await Promise.all([
      fetchBlock(store, file, 0),
      BlocksJournal.isStored(store, journalFile(file)),
    ]);
    const main = new BlocksMainFile(
      await BlocksFile.open(store, file, options, head, journalStored),
      options,
      locks,
    );
    main.journal.noteStored(journalStored);
    return main;
  }

  get lastError(): unknown {
    return this.errors.lastError;
  }

  clearError(): void {
    this.errors.clearError();
  }

  get size(): number {
    return this.blocks.size;
  }

  /** The file's block 0 as last known: its header gives the page size. */
  get firstBlock(): Uint8Array | undefined {
    return this.blocks.firstBlock;
  }

  /** Times this connection stored changes to the database. */
  get commits(): number {
    return this.flushes;
  }

  /** Counters of every block read and written by this connection. */
  get blockStats(): BlocksFileStats {
    return sum(this.earlier, this.blocks.stats());
  }

  read(into: Uint8Array, offset: number): Promise<number> {
    return this.errors.read(into, (length) => this.blocks.read(offset, length));
  }

  write(data: Uint8Array, offset: number): Promise<number> {
    return this.errors.run(SQLite.SQLITE_IOERR_WRITE, () => this.blocks.write(offset, data));
  }

  truncate(size: number): Promise<number> {
    return this.errors.run(SQLite.SQLITE_IOERR_TRUNCATE, () => this.blocks.truncate(size));
  }

  sync(): Promise<number> {
    return this.errors.run(SQLite.SQLITE_IOERR_FSYNC, () => this.flush());
  }

  async lock(level: number): Promise<number> {
    try {
      if (this.lockLevel === LOCK_NONE) {
        if (!this.locks.lock(this, LOCK_SHARED)) return this.busy();
        await this.revalidate().catch((error: unknown) => {
          this.locks.unlock(this, LOCK_NONE);
          throw error;
        });
        this.lockLevel = LOCK_SHARED;
      }
      if (level > LOCK_SHARED) {
        if (this.options.readOnlyReason !== undefined) throw this.readOnly(level);
        if (!this.locks.lock(this, level)) return this.busy();
      }
      this.lockLevel = level;
      return SQLite.SQLITE_OK;
    } catch (error) {
      return this.errors.fail(error, SQLite.SQLITE_IOERR_LOCK);
    }
  }

  /**
   * Drop to `level`, after storing whatever SQLite wrote (under `synchronous=OFF` it never
   * syncs), so that the next connection to lock finds it.
   */
  async unlock(level: number): Promise<number> {
    let code: number = SQLite.SQLITE_OK;
    if (level < this.lockLevel) {
      try {
        await this.flush();
        await this.journal.flush();
      } catch (error) {
        code = this.errors.fail(error, SQLite.SQLITE_IOERR_UNLOCK);
      }
    }
    this.locks.unlock(this, level);
    if (level === LOCK_NONE) this.blocks.endRead();
    this.lockLevel = level;
    return code;
  }

  reservedByOther(): boolean {
    return this.locks.reservedByOther(this);
  }

  async fileControl(): Promise<number> {
    return SQLite.SQLITE_NOTFOUND;
  }

  refusePragma(): undefined {
    return undefined;
  }

  /** Store buffered writes; other connections of this process will look afresh. */
  private async flush(): Promise<void> {
    if (!(await this.blocks.flush())) return;
    this.locks.writes += 1;
    this.seenWrites = this.locks.writes;
    this.flushes += 1;
  }

  /** At the start of a read transaction: make sure what this connection knows still holds. */
  private async revalidate(): Promise<void> {
    const trusted = this.options.readOnlyReason === undefined;
    const stale = this.locks.writes !== this.seenWrites;
    if (this.fresh || (trusted && !stale)) {
      this.fresh = false;
      return;
    }
    const [head, journalExists] = await Promise.all([
      fetchBlock(this.blocks.store, this.blocks.file, 0),
      BlocksJournal.isStored(this.blocks.store, this.journal.name),
    ]);
    this.journal.noteStored(journalExists);
    this.seenWrites = this.locks.writes;
    if (!stale && !journalExists && head?.etag === this.blocks.headEtag) return;
    this.earlier = this.blockStats;
    this.blocks = await BlocksFile.open(
      this.blocks.store,
      this.blocks.file,
      { ...this.options, blockSize: this.blocks.blockSize },
      head,
      journalExists,
    );
  }

  /**
   * Why a lock for writing is refused. SQLite asks for EXCLUSIVE straight from SHARED only to
   * roll back a hot journal: that reader needs to know why it cannot read.
   */
  private readOnly(level: number): ReadOnlyError {
    const hot = level === LOCK_EXCLUSIVE && this.lockLevel === LOCK_SHARED && this.journal.exists;
    return new ReadOnlyError(
      hot
        ? `"${this.blocks.file}" in ${this.blocks.store.location} has a hot journal (a writer ` +
            'died, or is writing): only a connection opened with singleWriter: true may roll ' +
            'it back'
        : (this.options.readOnlyReason as string),
    );
  }

  private busy(): number {
    return this.errors.fail(
      new ConflictError(
        `"${this.blocks.file}" in ${this.blocks.store.location}: another connection of this ` +
          'process holds the lock',
      ),
      SQLite.SQLITE_BUSY,
    );
  }
}

function sum(a: BlocksFileStats | undefined, b: BlocksFileStats): BlocksFileStats {
  if (!a) return b;
  const total = { ...b };
  for (const name of Object.keys(total) as Array<keyof BlocksFileStats>) total[name] += a[name];
  return total;
}

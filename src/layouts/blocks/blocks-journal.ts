import * as SQLite from '@journeyapps/wa-sqlite';
import { ifExists } from '../../store/get-if-exists.js';
import { blockKey } from './block-keys.js';
import { BlocksFile, type BlocksFileOptions } from './blocks-file.js';
import type { ObjectStore } from '../../store/types.js';
import type { FileErrors } from '../../vfs/file-errors.js';
import type { StoredJournal } from '../../vfs/main-file.js';

/** What a journal needs of the database it belongs to. */
export interface JournalOwner {
  readonly errors: FileErrors;
  /** Settings for the journal's blocks: the database's block size, cache and buffer. */
  fileOptions(): BlocksFileOptions;
  /** Store the database's buffered writes (before its journal may go). */
  flushDatabase(): Promise<void>;
}

/**
 * SQLite's rollback journal of a database in the blocks layout, stored as blocks under
 * `<database>-journal/`, as sqlite-s3vfs stores it, so that a journal left by a writer that
 * died is found and played back by the next one (SQLite's hot-journal recovery).
 *
 * Its size is found once, by listing, when SQLite first opens it, and then followed here:
 * it is right even with gaps and short blocks (see `BlocksFile`), so SQLite's playback reads
 * every record. Whether it exists is its block 0: probed when the database's lock is taken,
 * and followed here afterwards. Deleting it deletes block 0 first: the journal stops being
 * hot before any of its records go, so a crash halfway leaves stray blocks, not a torn
 * journal (the next opening removes them).
 */
export class BlocksJournal implements StoredJournal {
  isOpen = false;
  /** The journal as known since it was opened or probed; undefined: ask the store. */
  private file: BlocksFile | undefined;
  /** Whether block 0 was stored, as last probed (when `file` is not known). */
  private probed = false;

  constructor(
    private readonly store: ObjectStore,
    /** The journal's file name: `<database>-journal`. */
    readonly name: string,
    private readonly writable: boolean,
    private readonly owner: JournalOwner,
  ) {}

  get exists(): boolean {
    return this.file ? this.file.size > 0 : this.probed;
  }

  get size(): number {
    return this.file?.size ?? 0;
  }

  /** Whether the journal `name` exists in `store`: one HEAD of its block 0. */
  static async isStored(store: ObjectStore, name: string): Promise<boolean> {
    return (await ifExists(store.head(blockKey(name, 0)))) !== undefined;
  }

  /**
   * Take note of whether the store holds the journal ({@link isStored}), when what was known
   * of it cannot be trusted any more (another connection may have written it): that is
   * dropped, and found again when SQLite opens the journal.
   */
  noteStored(stored: boolean): void {
    this.file = undefined;
    this.probed = stored;
  }

  /** Blocks left by a deletion that died halfway are removed here, when writing is allowed. */
  async open(): Promise<number> {
    return this.owner.errors.run(SQLite.SQLITE_CANTOPEN, async () => {
      await this.known();
      this.isOpen = true;
    });
  }

  read(into: Uint8Array, offset: number): Promise<number> {
    return this.owner.errors.read(into, async (length) =>
      (await this.known()).read(offset, length),
    );
  }

  write(data: Uint8Array, offset: number): Promise<number> {
    return this.owner.errors.run(SQLite.SQLITE_IOERR_WRITE, async () =>
      (await this.known()).write(offset, data),
    );
  }

  truncate(size: number): Promise<number> {
    return this.owner.errors.run(SQLite.SQLITE_IOERR_TRUNCATE, async () =>
      (await this.known()).truncate(size),
    );
  }

  sync(): Promise<number> {
    return this.owner.errors.run(SQLite.SQLITE_IOERR_FSYNC, () => this.flush());
  }

  /** Buffered changes stay for the next sync, or the unlock that follows every close. */
  async close(): Promise<number> {
    this.isOpen = false;
    return SQLite.SQLITE_OK;
  }

  /**
   * Delete the journal (SQLite's commit in journal_mode=DELETE, or the end of a rollback).
   * The database's buffered writes are stored first: once its journal is gone, nothing could
   * repair a database that missed some of them.
   */
  delete(): Promise<number> {
    return this.owner.errors.run(SQLite.SQLITE_IOERR_DELETE, async () => {
      await this.owner.flushDatabase();
      await (await this.known()).remove();
    });
  }

  /** Store buffered changes. */
  async flush(): Promise<void> {
    await this.file?.flush();
  }

  private async known(): Promise<BlocksFile> {
    this.file ??= await BlocksFile.openListed(
      this.store,
      this.name,
      this.owner.fileOptions(),
      this.writable,
    );
    return this.file;
  }
}

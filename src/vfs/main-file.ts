import type { GcOptions, GcReport } from '../volume/gc.js';
import type { CommitInfo, VolumeStats } from '../volume/types.js';
import type { ObjectStore } from '../store/types.js';
import type { Volume } from '../volume/volume.js';

/** SQLite's lock levels (sqlite3.h); PENDING is never passed to a VFS. */
export const LOCK_NONE = 0;
export const LOCK_SHARED = 1;
export const LOCK_RESERVED = 2;
export const LOCK_EXCLUSIVE = 4;

/**
 * The main database file of one connection, as the VFS drives it: SQLite's file calls, each
 * answering a SQLite result code. Implemented by `VolumeFile` (the s3lite format) and by the
 * files of the other layouts.
 */
export interface MainFile {
  /** Whether SQLite has this file open: one handle at a time. */
  isOpen: boolean;
  readonly size: number;
  /** What SQLite may assume of the file (`SQLITE_IOCAP_*`). */
  readonly deviceCharacteristics: number;
  /**
   * The rollback journal when it is stored beside the database and must survive a crash
   * (blocks layout). Absent: journals live in memory and are never hot.
   */
  readonly journal?: StoredJournal;
  /**
   * The first JavaScript error behind a failed file operation since {@link clearError}: the
   * connection rethrows it (typed, with its message) instead of a bare SQLite result code.
   */
  readonly lastError: unknown;
  clearError(): void;
  /** Fill `into` from `offset`; zeros and `SQLITE_IOERR_SHORT_READ` past the end of file. */
  read(into: Uint8Array, offset: number): Promise<number>;
  write(data: Uint8Array, offset: number): Promise<number>;
  truncate(size: number): Promise<number>;
  sync(): Promise<number>;
  lock(level: number): Promise<number>;
  unlock(level: number): Promise<number>;
  /** Whether another connection holds RESERVED or more (SQLite's hot-journal test asks). */
  reservedByOther(): boolean;
  /** A file control other than PRAGMA; `SQLITE_NOTFOUND` for those it does not handle. */
  fileControl(op: number): Promise<number>;
  /** Why `PRAGMA name=value` is refused on this file; undefined lets SQLite handle it. */
  refusePragma(name: string, value: string): string | undefined;
}

/**
 * A rollback journal stored beside its database. One handle at a time, opened and deleted
 * by name through the VFS; what is known of it survives between openings.
 */
export interface StoredJournal {
  /** Whether the journal exists, as known since the connection's lock was taken. */
  readonly exists: boolean;
  isOpen: boolean;
  readonly size: number;
  /** Get ready for SQLite to use the journal (finds its size when not known). */
  open(): Promise<number>;
  read(into: Uint8Array, offset: number): Promise<number>;
  write(data: Uint8Array, offset: number): Promise<number>;
  truncate(size: number): Promise<number>;
  sync(): Promise<number>;
  close(): Promise<number>;
  delete(): Promise<number>;
}

/**
 * A database stored in a layout other than the s3lite format: what a connection holds
 * besides its SQLite handle, as it holds a `Volume` for the s3lite format (same members).
 */
export interface LayoutBackend {
  readonly layout: 'blocks' | 'object';
  readonly store: ObjectStore;
  /** The database's name in the store: its prefix (blocks) or its key (object). */
  readonly prefix: string;
  /** The file's page size and page count, as commit 0 (these layouts have no commits). */
  readonly snapshot: CommitInfo;
  stats(): VolumeStats;
  /** Garbage collection is for the s3lite format: always refused here. */
  gc(options?: GcOptions): Promise<GcReport>;
  close(): Promise<void>;
  /** The file SQLite opens; one per backend. */
  readonly mainFile: MainFile;
}

/** The storage behind one connection. */
export type DatabaseBackend = Volume | LayoutBackend;

import * as SQLite from '@journeyapps/wa-sqlite';

/** SQLite's lock levels (sqlite3.h); PENDING is never passed to a VFS. */
export const LOCK_NONE = 0;
export const LOCK_SHARED = 1;
export const LOCK_RESERVED = 2;
export const LOCK_EXCLUSIVE = 4;

/**
 * What s3lite files can promise. BATCH_ATOMIC: a transaction's pages become visible all at
 * once (SQLite then brackets an ordinary commit with BEGIN/COMMIT_ATOMIC_WRITE and keeps its
 * journal in memory). UNDELETABLE_WHEN_OPEN: no journal is deleted behind an open handle.
 * SAFE_APPEND and SEQUENTIAL: journals live in memory, where nothing is torn or reordered,
 * so SQLite may skip the journal syncs and header rewrites that protect against that.
 */
export const S3LITE_DEVICE_CHARACTERISTICS =
  SQLite.SQLITE_IOCAP_BATCH_ATOMIC |
  SQLite.SQLITE_IOCAP_UNDELETABLE_WHEN_OPEN |
  SQLite.SQLITE_IOCAP_SAFE_APPEND |
  SQLite.SQLITE_IOCAP_SEQUENTIAL;

/**
 * The main database file of one connection, as the VFS drives it: SQLite's file calls, each
 * answering a SQLite result code. Each layout implements it (src/layouts/*): `VolumeFile`
 * (the s3lite format), `BlocksMainFile`, `ObjectMainFile`; `ViewFile` shows staged bytes.
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
   * A fresh rollback journal in memory, each time SQLite opens one, for a file that keeps
   * its journal its own way (s3lite: `SnapshotJournal`). Absent: a plain `MemoryFile`.
   */
  createJournal?(): TransientFile;
  /**
   * The first JavaScript error behind a failed file operation since {@link clearError}: the
   * connection rethrows it (typed, with its message) instead of a bare SQLite result code.
   */
  readonly lastError: unknown;
  clearError(): void;
  /** Fill `into` from `offset`; zeros and `SQLITE_IOERR_SHORT_READ` past the end of file. */
  read(into: Uint8Array, offset: number): Promise<number>;
  /** `data` is SQLite's own buffer, unchanged until the call returns: the file copies what it keeps. */
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
  /** `data` is SQLite's own buffer, unchanged until the call returns: the file copies what it keeps. */
  write(data: Uint8Array, offset: number): Promise<number>;
  truncate(size: number): Promise<number>;
  sync(): Promise<number>;
  close(): Promise<number>;
  delete(): Promise<number>;
}

/**
 * A file that lives in memory while SQLite has it open (journals, temporary files): nothing of
 * it is ever hot. Its calls may answer at once or later.
 */
export interface TransientFile {
  readonly size: number;
  /** Copy bytes at `offset` into `into`; returns how many there were (fewer at end of file). */
  read(into: Uint8Array, offset: number): number | Promise<number>;
  /**
   * `data` is SQLite's own buffer, unchanged until the call returns (SQLite waits for it):
   * the file copies what it keeps.
   */
  write(data: Uint8Array, offset: number): void | Promise<void>;
  truncate(size: number): void | Promise<void>;
}

import type { ObjectStore } from '../store/types.js';
import type { MainFile } from '../vfs/main-file.js';
import type { GcOptions, GcReport } from '../volume/gc.js';
import type { PageCache } from '../volume/page-cache.js';
import type { CommitInfo, VolumeStats } from '../volume/types.js';

/**
 * How a database is stored: `s3lite`, this library's format (a prefix of page objects and
 * commit records); `blocks`, sqlite-s3vfs's (a prefix of fixed-size blocks of the database
 * file); `object`, a regular SQLite file as one object (read-only).
 */
export type Layout = 's3lite' | 'blocks' | 'object';

/**
 * One opened database, in whichever layout: what a connection holds besides its SQLite
 * handle. Each layout's folder implements it; `openBackend` chooses among them.
 */
export interface Backend {
  readonly layout: Layout;
  readonly store: ObjectStore;
  /** The database's name in the store: its prefix (s3lite, blocks) or its key (object). */
  readonly prefix: string;
  /** The file SQLite opens: one per backend, attached to the VFS by the connection. */
  readonly mainFile: MainFile;
  /** The commit last pinned; layouts without commits answer their file as commit 0. */
  readonly snapshot: CommitInfo;
  stats(): VolumeStats;
  /**
   * Collect garbage. Present only where the layout leaves garbage to collect (the s3lite
   * format); the other layouts overwrite in place and have none.
   */
  gc?(options: GcOptions): Promise<GcReport>;
  /**
   * `CorruptError` unless the size the head commit records is the one page 1's header states.
   * Present only where commits record a size (the s3lite format).
   */
  checkSize?(): Promise<void>;
  close(): Promise<void>;
}

/** Options of the layouts other than s3lite's (the subset of `open()`'s that applies). */
export interface LayoutOptions {
  cache?: PageCache;
  readAheadMax?: number;
  /** Blocks layout: bytes of changed blocks buffered before some are stored early. */
  writeBufferBytes?: number;
  readOnly?: boolean;
  /** Blocks layout: the promise, needed to write, that no other process writes the database. */
  singleWriter?: boolean;
  /** Blocks layout: bytes per block (default: inferred; 4096 for a new database). */
  blockSize?: number;
}

/**
 * sqlite-s3vfs's default block size. Here, beside the types, so that the command line can name
 * it without loading the layouts (and with them SQLite's WebAssembly) for `--help`.
 */
export const DEFAULT_BLOCK_SIZE = 4096;

/** Pages read ahead at most, by the layouts without a volume (as a volume's default). */
export const DEFAULT_READ_AHEAD = 64;

/** A file of a layout without commits, as a commit: commit 0, its page size and its pages. */
export function fileCommitInfo(pageSize: number, size: number): CommitInfo {
  return {
    seq: 0,
    txid: '',
    time: 0,
    pageSize,
    pageCount: pageSize > 0 ? Math.ceil(size / pageSize) : 0,
    changedPages: 0,
  };
}

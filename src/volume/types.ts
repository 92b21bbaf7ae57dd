import type { Clock, Random } from '../clock.js';
import type { ObjectStore } from '../store/types.js';
import type { PageCache } from './page-cache.js';
import type { RetentionOptions } from './retention.js';

/** What one commit made of the database. */
export interface CommitInfo {
  /** Sequence number: 0 is the empty database before its first commit. */
  seq: number;
  /** The writer's transaction id (empty for seq 0). */
  txid: string;
  /** When the commit was made (epoch ms; 0 for seq 0). */
  time: number;
  /** Page size in bytes (0 while the database is empty). */
  pageSize: number;
  /** Pages in the database file. */
  pageCount: number;
  /** Pages this commit changed. */
  changedPages: number;
}

/** Options of {@link Volume.open}. */
export interface VolumeOptions {
  /**
   * Page cache shared with other volumes (default: one cache per process, 16 MiB). With
   * `writeBufferBytes` it bounds the page bytes a process holds (README, "SQLite settings").
   */
  cache?: PageCache;
  /**
   * Bytes of changed pages a transaction keeps in memory before uploading some early
   * (invisible until the commit). Default 16 MiB. Memory for a transaction of any size: this,
   * the page cache, and some 100 bytes per changed page.
   */
  writeBufferBytes?: number;
  /** Commits between two checkpoints of the full page map (default 32). */
  checkpointInterval?: number;
  /** Most pages fetched ahead when reads are sequential (default 64; 0 turns read-ahead off). */
  readAheadMax?: number;
  /** Fetch every page of the database at open, in parallel. */
  prefetch?: boolean;
  /**
   * Accept a store that ignores conditional writes, promising that only one writer ever
   * writes this prefix. Without it such a store is refused for writing (`UNSAFE_STORE`).
   */
  singleWriter?: boolean;
  /** Open for reading only: writes fail with `READ_ONLY`. */
  readOnly?: boolean;
  /**
   * Open the database as it was after commit number `at` (0: before the first commit), or at
   * a time (a `Date`: the newest commit made by then), for reading only; the snapshot never
   * moves. `NOT_FOUND` when that commit does not exist, `SNAPSHOT_EXPIRED` when garbage
   * collection has removed it.
   */
  at?: number | Date;
  /**
   * What garbage collection keeps: `gc()` without rules of its own, and automatic collection
   * (default: every commit of the last 24 hours, grace period 1 hour).
   */
  retention?: RetentionOptions;
  /**
   * Collect garbage in the background after every commit whose number is a multiple of this
   * (0, the default: never; run `gc()` or `s3lite gc` instead).
   */
  gcEvery?: number;
  /**
   * Called when work after a commit point fails: a checkpoint or its hint, the clean-up of a
   * lost race's pages, automatic garbage collection. Such work is best effort (the commit
   * stands, and the work is tried again later), so its failures never become a transaction's
   * error; they are counted in `stats().backgroundErrors` and handed to this function.
   */
  onBackgroundError?: (error: Error) => void;
  /**
   * Time for commit record dates, head-trust durations and garbage collection's ages (default:
   * the real clock). For simulations; the store takes its own.
   */
  clock?: Clock;
  /** Randomness for transaction ids and retry jitter (default: real). For simulations. */
  random?: Random;
}

/** Counters of one volume (the store's own request metrics are on `store.metrics`). */
export interface VolumeStats {
  cacheHits: number;
  cacheMisses: number;
  /** Pages fetched by read-ahead or prefetch. */
  pagesPrefetched: number;
  commits: number;
  conflicts: number;
  /**
   * Turns taken: commits that change nothing, made after losing commit races in a row, that
   * reserve the next commit for this connection (see `Database.transaction`).
   */
  turns: number;
  /** Pages uploaded before their transaction committed, to bound memory. */
  pagesUploadedEarly: number;
  /**
   * Failures of work after a commit point (checkpoints, hints, clean-up, automatic GC): none of
   * them failed a commit (see `onBackgroundError`).
   */
  backgroundErrors: number;
  /** The message of the latest of those failures. */
  lastBackgroundError?: string;
}

/** Counters of a volume that has done nothing yet. */
export function emptyVolumeStats(): VolumeStats {
  return {
    cacheHits: 0,
    cacheMisses: 0,
    pagesPrefetched: 0,
    commits: 0,
    conflicts: 0,
    turns: 0,
    pagesUploadedEarly: 0,
    backgroundErrors: 0,
  };
}

export type { ObjectStore };

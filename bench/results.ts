import type { Config } from './config.js';
import type { RunInfo } from './runner/machine.js';
import type { BulkLoad } from './scenarios/bulk-load.js';
import type { MetaStoreBench } from './scenarios/meta-store.js';
import type { PointLookup } from './scenarios/point-lookup.js';
import type { Scan } from './scenarios/scan.js';
import type { SingleInsert } from './scenarios/single-insert.js';
import type { Raw, Transfer } from './scenarios/transfer.js';
import type { WholeFile } from './scenarios/whole-file.js';
import type { Target } from './report/targets.js';

/** A database a scenario ran on. */
export interface DatabaseShape {
  /** "small" (rows of ~100 bytes) or "large" (the import/export database). */
  name: 'small' | 'large';
  rows: number;
  bytes: number;
  pageSize: number;
  pages: number;
  /** Levels of the table's B-tree. */
  depth: number;
}

/** Every result of a scenario that ran in a child process carries its peak RSS. */
export interface InChild {
  maxRssMiB: number;
}

/** Where a scenario ran: the S3 server or a MemoryStore, with or without injected latency. */
export interface On {
  backend: 's3' | 'memory';
  latencyMs: number;
}

export interface TransferRun {
  raw: Raw & InChild;
  import: Transfer & InChild;
  export: Transfer & InChild;
  /** import MiB/s ÷ raw PUT MiB/s, and export ÷ raw GET, within this run. */
  importShare: number;
  exportShare: number;
}

export interface Concurrency extends On {
  writers: number;
  transactionsEach: number;
  commits: number;
  lostRaces: number;
  seconds: number;
  commitsPerSecond: number;
  /** Lost races ÷ attempts (commits + lost races). */
  conflictRate: number;
  requests: Record<string, number>;
  maxRssMiB: number;
}

/** bench/results.json. */
export interface Results extends RunInfo {
  server: { endpoint: string; backend: string };
  config: Config;
  durationSeconds: number;
  /** The machine's 1, 5 and 15 minute load averages when the run started and ended. */
  load: { start: number[]; end: number[] };
  /** Peak RSS of a child that loads everything and does nothing. */
  idleRssMiB: number;
  /** The S3Store's requests in flight, which the latency lower bound divides by. */
  concurrency: number;
  databases: DatabaseShape[];
  bulkLoad: Array<On & InChild & { loads: BulkLoad[] }>;
  pointLookup: Array<On & InChild & { database: DatabaseShape; lookup: PointLookup }>;
  singleInsert: Array<On & InChild & { database: DatabaseShape; insert: SingleInsert }>;
  scan: Array<On & InChild & { database: DatabaseShape; scan: Scan }>;
  transfer: {
    database: DatabaseShape;
    runs: TransferRun[];
    /** The same import and export through the latency store. */
    latency: { latencyMs: number; import: Transfer & InChild; export: Transfer & InChild };
    /** The memory target's database, when measured. */
    large?: { database: DatabaseShape; import: Transfer & InChild; export: Transfer & InChild };
  };
  wholeFile: Array<{ latencyMs: number; database: DatabaseShape; result: WholeFile } & InChild>;
  concurrencyRuns: Concurrency[];
  /** Scenario 10, on the S3 server without added latency. */
  metaStore: MetaStoreBench & InChild;
  /** Scenario 11: a whole database rewritten in one transaction, on a local FileStore. */
  rewrite: Array<{ megabytes: number; seconds: number } & InChild>;
  targets: Target[];
}

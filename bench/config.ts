/**
 * What a run measures. The full run is what bench/RESULTS.md shows; `--quick` runs every
 * scenario on small data, once, as a smoke test (CI), in well under 3 minutes.
 */
export interface Config {
  mode: 'full' | 'quick';
  /** Rows of ~100 bytes in scenario 1's loads and in the databases of scenarios 2–4 and 8. */
  rows: number;
  /** Scenario 1's second load splits the rows into this many transactions. */
  bulkTransactions: number;
  bulkRuns: number;
  coldLookups: number;
  warmLookups: number;
  inserts: number;
  scanRuns: number;
  /** Page sizes of the sweep (scenario 6); the first is also the page size of scenarios 1–3. */
  pageSizes: number[];
  /** The import/export database (scenario 5) and its page size. */
  transferMiB: number;
  transferPageSize: number;
  transferRuns: number;
  /** Page-sized objects PUT and GET for the server's raw rate, per run and level. */
  rawObjects: number;
  /** Requests in flight of each raw measurement (the last is S3Store's default). */
  rawInFlight: number[];
  /** A database of this size is imported and exported once for the memory target (0: not). */
  largeMiB: number;
  /**
   * Cold lookups and commits of the whole-file baseline on the import/export database (each
   * moves the whole file).
   */
  largeBaselineRuns: number;
  writers: number;
  writerTransactions: number;
  latencyMs: number;
  /** Scenario 10: records in the metadata store, and its writes. */
  metaRecords: number;
  metaWrites: number;
  metaGroupedWrites: number;
  metaSyncIntervalMs: number;
  /** Warm repetitions of each metadata search (and of the local copy's). */
  metaSearchRuns: number;
  /** Scenario 11: databases of these sizes (MB) rewritten in one transaction each. */
  rewriteMB: number[];
}

export const FULL: Config = {
  mode: 'full',
  rows: 100_000,
  bulkTransactions: 100,
  bulkRuns: 3,
  coldLookups: 10,
  warmLookups: 100,
  inserts: 20,
  scanRuns: 3,
  pageSizes: [4096, 16384, 65536],
  transferMiB: 256,
  transferPageSize: 65536,
  transferRuns: 3,
  rawObjects: 2000,
  rawInFlight: [8, 64],
  largeMiB: 1024,
  largeBaselineRuns: 5,
  writers: 4,
  writerTransactions: 20,
  latencyMs: 20,
  metaRecords: 100_000,
  metaWrites: 40,
  metaGroupedWrites: 1000,
  metaSyncIntervalMs: 100,
  metaSearchRuns: 5,
  rewriteMB: [100, 300],
};

export const QUICK: Config = {
  mode: 'quick',
  rows: 4_000,
  bulkTransactions: 10,
  bulkRuns: 1,
  coldLookups: 2,
  warmLookups: 10,
  inserts: 3,
  scanRuns: 1,
  pageSizes: [4096, 16384, 65536],
  transferMiB: 8,
  transferPageSize: 65536,
  transferRuns: 1,
  rawObjects: 128,
  rawInFlight: [8, 64],
  largeMiB: 0,
  largeBaselineRuns: 2,
  writers: 4,
  writerTransactions: 3,
  latencyMs: 20,
  metaRecords: 2_000,
  metaWrites: 5,
  metaGroupedWrites: 50,
  metaSyncIntervalMs: 100,
  metaSearchRuns: 2,
  rewriteMB: [10],
};

/**
 * What the torture workers share: a store that injects faults, the messages they send the
 * supervisor, and how they sort the errors they meet.
 */
import { open, type Database } from '../../src/db/index.js';
import {
  ConflictError,
  CorruptError,
  S3liteError,
  SnapshotExpiredError,
  SqliteError,
} from '../../src/errors.js';
import type { ObjectStore } from '../../src/store/index.js';
import { FaultInjectingStore } from '../../src/testing/index.js';
import { input, send, storeAt, type WorkerInput } from './io.js';

/** Every torture worker's input. */
export interface TortureInput extends WorkerInput {
  /** Names this process in transaction ids and reports. */
  id: string;
  seed: number;
  /** Inject faults into every request (5xx, timeouts, lost responses). */
  faults: boolean;
  /** The bank's accounts and what each held at the start. */
  accounts: number;
  initialBalance: number;
  /** Grace period of the collections the workers run (ms). */
  graceMs: number;
}

/** Counters each worker reports after every transaction (cumulative for its process). */
export interface WorkerStats {
  /** Transactions acknowledged (committed, and the commit returned). */
  acked: number;
  /** Runs of transaction bodies (a lost commit race runs the body again). */
  bodyRuns: number;
  /** Lost commit races. */
  conflicts: number;
  /** Requests repeated after a fault or a slow answer, at every store layer. */
  retries: number;
  /** Faults injected, by kind. */
  faults: { error: number; timeout: number; 'lost-response': number };
  /** Transactions that failed after their retries; their outcome is unknown. */
  unknown: number;
  /** Reads and opens that found their commit collected (`SNAPSHOT_EXPIRED`). */
  expired: number;
  /** Transactions given up after losing `maxRetries` races in a row. */
  gaveUp: number;
}

export type TortureMessage =
  | { type: 'ack-transfer'; id: string; src: number; dst: number; amount: number }
  | { type: 'ack-log'; ids: string[] }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'gc'; removed: number; bytesFreed: number }
  | { type: 'check'; past: boolean }
  | { type: 'violation'; message: string };

export function tell(message: TortureMessage): void {
  send(message);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The worker's setting, its store (faulty when asked) and a way to report its counters. */
export function setUp(): {
  settings: TortureInput;
  store: ObjectStore;
  stats: WorkerStats;
  connect: (options?: Parameters<typeof open>[1]) => Promise<Database>;
  report: (db?: Database) => void;
} {
  const settings = input<TortureInput>();
  // Workers run until killed. An injected hang waits for the attempt's timeout, whose timer
  // does not keep a process alive (a real hung socket would): without this the process would
  // end there, its top-level await unsettled.
  setInterval(() => undefined, 60_000);
  const inner = storeAt(settings.location);
  const faulty = new FaultInjectingStore(inner, {
    seed: settings.seed,
    // Short attempts, so an injected hang costs a second, as a dropped connection would.
    requestTimeoutMs: 1000,
    rules: settings.faults
      ? [
          { kind: 'error', probability: 0.02 },
          { kind: 'timeout', operations: ['get', 'put'], probability: 0.003 },
          {
            kind: 'lost-response',
            operations: ['put', 'delete', 'deleteMany'],
            probability: 0.02,
          },
        ]
      : [],
  });
  const stats: WorkerStats = {
    acked: 0,
    bodyRuns: 0,
    conflicts: 0,
    retries: 0,
    faults: faulty.injected,
    unknown: 0,
    expired: 0,
    gaveUp: 0,
  };
  /** Conflicts of connections closed before, so the counter survives reconnecting. */
  let closedConflicts = 0;
  let current: Database | undefined;
  return {
    settings,
    store: faulty,
    stats,
    connect: async (options = {}) => {
      if (current) closedConflicts += current.stats().volume.conflicts;
      current = await open(
        { store: faulty, prefix: settings.location.prefix },
        { checkpointInterval: 8, maxRetries: 200, ...options },
      );
      return current;
    },
    report: (db = current) => {
      stats.conflicts = closedConflicts + (db?.stats().volume.conflicts ?? 0);
      stats.retries = faulty.metrics.snapshot().retries + inner.metrics.snapshot().retries;
      tell({ type: 'stats', stats });
    },
  };
}

/**
 * What an error in a transaction means here, counted in `stats`: a lost race given up, a
 * collected snapshot, corruption (always a violation), or a failure whose outcome is unknown
 * (the commit may or may not have happened; it was not acknowledged, so either is fine).
 */
export function countFailure(
  error: unknown,
  stats: WorkerStats,
): 'gave-up' | 'expired' | 'unknown' {
  const outcome = classify(error);
  if (outcome === 'gave-up') stats.gaveUp += 1;
  else if (outcome === 'expired') stats.expired += 1;
  else stats.unknown += 1;
  return outcome;
}

function classify(error: unknown): 'gave-up' | 'expired' | 'unknown' {
  // Corruption, or SQLite failing on statements that are valid: the database is damaged.
  if (error instanceof CorruptError || error instanceof SqliteError) {
    tell({ type: 'violation', message: `${error.code}: ${error.message}` });
    process.exit(1);
  }
  if (error instanceof ConflictError) return 'gave-up';
  if (error instanceof SnapshotExpiredError) return 'expired';
  if (error instanceof S3liteError) return 'unknown';
  throw error;
}

import type { StoreOperation } from '../src/index.js';
import type { BenchStore } from './stores.js';
import { quantile, summarize, type Summary } from './stats.js';

const OPERATIONS: readonly StoreOperation[] = [
  'get',
  'put',
  'list',
  'head',
  'delete',
  'deleteMany',
];

/** What one measured operation cost. */
export interface Sample {
  ms: number;
  /** CPU time this process used meanwhile: far below `ms` when it mostly waited. */
  cpuMs: number;
  requests: Record<StoreOperation, number>;
  bytesIn: number;
  bytesOut: number;
  retries: number;
  byObject: Record<string, Record<string, number>>;
  roundTrips: number;
}

/** Time and store traffic of `fn`, counted from a reset of every counter. */
export async function measure<T>(
  bench: BenchStore,
  fn: () => Promise<T>,
): Promise<{ value: T; sample: Sample }> {
  bench.base.metrics.reset();
  bench.store.reset();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const metrics = bench.base.metrics.snapshot();
  return {
    value,
    sample: {
      ms,
      cpuMs: (used.user + used.system) / 1000,
      requests: metrics.requests,
      bytesIn: metrics.bytesIn,
      bytesOut: metrics.bytesOut,
      retries: metrics.retries,
      byObject: bench.store.requestsByObject(),
      roundTrips: bench.store.roundTrips(),
    },
  };
}

/**
 * Repeated runs of one operation. Request counts and bytes are means per run (they are
 * deterministic, so normally every run has the same), `maxRequests` the most any run made
 * (what targets are checked against), round trips the median run's longest chain.
 */
export interface OpResult {
  runs: number;
  /** Milliseconds per run. */
  time: Summary;
  /** Median CPU milliseconds of the process per run. */
  cpuMs: number;
  requests: Record<StoreOperation, number>;
  totalRequests: number;
  maxRequests: Record<StoreOperation, number>;
  /** The most requests of all kinds any one run made. */
  maxTotalRequests: number;
  bytesIn: number;
  bytesOut: number;
  /** Attempts the store repeated after a failure, over all runs. */
  retries: number;
  byObject: Record<string, Record<string, number>>;
  roundTrips: number;
}

const total = (requests: Record<StoreOperation, number>): number =>
  OPERATIONS.reduce((sum, op) => sum + requests[op], 0);

const mean = (values: number[]): number =>
  values.length === 0
    ? 0
    : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;

export function aggregate(samples: readonly Sample[]): OpResult {
  const perOperation = (pick: (values: number[]) => number) =>
    Object.fromEntries(
      OPERATIONS.map((op) => [op, pick(samples.map((s) => s.requests[op]))]),
    ) as Record<StoreOperation, number>;
  const requests = perOperation(mean);
  const byObject: Record<string, Record<string, number>> = {};
  for (const sample of samples) {
    for (const [kind, counts] of Object.entries(sample.byObject)) {
      const into = (byObject[kind] ??= {});
      for (const [op, n] of Object.entries(counts)) into[op] = (into[op] ?? 0) + n / samples.length;
    }
  }
  return {
    runs: samples.length,
    time: summarize(samples.map((s) => s.ms)),
    cpuMs: quantile(
      samples.map((s) => s.cpuMs),
      0.5,
    ),
    requests,
    totalRequests: total(requests),
    maxRequests: perOperation((values) => Math.max(0, ...values)),
    maxTotalRequests: Math.max(0, ...samples.map((s) => total(s.requests))),
    bytesIn: mean(samples.map((s) => s.bytesIn)),
    bytesOut: mean(samples.map((s) => s.bytesOut)),
    retries: samples.reduce((sum, s) => sum + s.retries, 0),
    byObject,
    roundTrips: quantile(
      samples.map((s) => s.roundTrips),
      0.5,
    ),
  };
}

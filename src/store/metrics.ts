import type { StoreOperation } from './types.js';

const OPERATIONS: readonly StoreOperation[] = [
  'get',
  'head',
  'put',
  'delete',
  'deleteMany',
  'list',
];

/**
 * Upper bounds (milliseconds) of the latency histogram's buckets: powers of two from 0.125 ms
 * to about 65 s, so both in-memory calls and slow S3 requests land in a useful bucket.
 */
const BUCKET_BOUNDS_MS: readonly number[] = Array.from({ length: 20 }, (_, i) => 2 ** (i - 3));

/** A copy of a store's counters at one instant. */
export interface MetricsSnapshot {
  /** Requests sent, by kind (every attempt counts, retries included). */
  requests: Record<StoreOperation, number>;
  /** Total of `requests`. */
  totalRequests: number;
  /** Body bytes received (GET). */
  bytesIn: number;
  /** Body bytes sent (PUT). */
  bytesOut: number;
  /** Attempts that were repeated after a retryable failure. */
  retries: number;
  /** Failed attempts, by error code. */
  errors: Record<string, number>;
  latency: LatencySnapshot;
}

export interface LatencySnapshot {
  count: number;
  totalMs: number;
  maxMs: number;
  /** `[upper bound in ms, count]` for every non-empty bucket; the last bound is `Infinity`. */
  buckets: Array<[number, number]>;
  /** Estimated quantiles (the upper bound of the bucket holding them), in ms. */
  p50: number;
  p95: number;
  p99: number;
}

function zeroRequests(): Record<StoreOperation, number> {
  return Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<StoreOperation, number>;
}

/**
 * Request metrics of one store: counts by operation, bytes, retries, errors and a latency
 * histogram. Benchmarks and request-count tests read these; `reset()` starts a new interval.
 */
export class StoreMetrics {
  private requests = zeroRequests();
  private bytesIn = 0;
  private bytesOut = 0;
  private retries = 0;
  private errors: Record<string, number> = {};
  private latencyCounts = new Array<number>(BUCKET_BOUNDS_MS.length + 1).fill(0);
  private latencyTotalMs = 0;
  private latencyMaxMs = 0;

  /** Count one attempt of `operation` that took `ms` milliseconds. */
  recordRequest(operation: StoreOperation, ms: number): void {
    this.requests[operation] += 1;
    let bucket = BUCKET_BOUNDS_MS.findIndex((bound) => ms <= bound);
    if (bucket < 0) bucket = BUCKET_BOUNDS_MS.length;
    this.latencyCounts[bucket] = (this.latencyCounts[bucket] ?? 0) + 1;
    this.latencyTotalMs += ms;
    this.latencyMaxMs = Math.max(this.latencyMaxMs, ms);
  }

  recordBytesIn(n: number): void {
    this.bytesIn += n;
  }

  recordBytesOut(n: number): void {
    this.bytesOut += n;
  }

  recordRetry(): void {
    this.retries += 1;
  }

  recordError(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  /** The counters as they are now. */
  snapshot(): MetricsSnapshot {
    const count = this.latencyCounts.reduce((a, b) => a + b, 0);
    const boundOf = (i: number) => BUCKET_BOUNDS_MS[i] ?? Infinity;
    const quantile = (q: number): number => {
      if (count === 0) return 0;
      const rank = Math.ceil(q * count);
      let seen = 0;
      for (let i = 0; i < this.latencyCounts.length; i++) {
        seen += this.latencyCounts[i] ?? 0;
        if (seen >= rank) return Math.min(boundOf(i), this.latencyMaxMs);
      }
      return this.latencyMaxMs;
    };
    return {
      requests: { ...this.requests },
      totalRequests: OPERATIONS.reduce((sum, op) => sum + this.requests[op], 0),
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      retries: this.retries,
      errors: { ...this.errors },
      latency: {
        count,
        totalMs: this.latencyTotalMs,
        maxMs: this.latencyMaxMs,
        buckets: this.latencyCounts.flatMap((n, i): Array<[number, number]> =>
          n > 0 ? [[boundOf(i), n]] : [],
        ),
        p50: quantile(0.5),
        p95: quantile(0.95),
        p99: quantile(0.99),
      },
    };
  }

  /** Set every counter back to zero. */
  reset(): void {
    this.requests = zeroRequests();
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.retries = 0;
    this.errors = {};
    this.latencyCounts.fill(0);
    this.latencyTotalMs = 0;
    this.latencyMaxMs = 0;
  }
}

import { MemoryStore, S3Store, type ObjectStore } from '../src/index.js';
import { LatencyStore } from '../src/testing/index.js';
import { TracingStore } from './tracing-store.js';

/** Requests in flight at once: S3Store's default, and the latency model's parallelism. */
export const CONCURRENCY = 64;

/** Which store a job runs on. */
export interface StoreSpec {
  /** The S3 server, or a MemoryStore in the job's own process (the design without a server). */
  backend: 's3' | 'memory';
  /** Added before every request (0: none), as S3 from the same region would. */
  latencyMs: number;
}

/** The store a job hands to s3lite, and the store underneath that counts what really happened. */
export interface BenchStore {
  store: TracingStore;
  base: ObjectStore;
}

/** The S3 server of the run; bucket, endpoint and credentials come from the environment. */
export function s3Store(): S3Store {
  return new S3Store({
    bucket: process.env.S3_BUCKET ?? 's3lite-test',
    endpoint: process.env.S3_ENDPOINT,
  });
}

export function benchStore(spec: StoreSpec): BenchStore {
  const base = spec.backend === 's3' ? s3Store() : new MemoryStore();
  const slowed =
    spec.latencyMs > 0
      ? new LatencyStore(base, { latencyMs: spec.latencyMs, concurrency: CONCURRENCY })
      : base;
  return { store: new TracingStore(slowed), base };
}

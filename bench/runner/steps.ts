import type { ObjectStore } from '../../src/index.js';
import type { Config } from '../config.js';
import type { Job } from './jobs.js';
import type { InChild } from '../results.js';
import { runChild, type Ran } from './spawn.js';
import type { StoreSpec } from '../stores.js';

/** What every step of a run shares. */
export interface RunContext {
  config: Config;
  /** The prefix every scenario's prefix lies under, removed at the end of the run. */
  root: string;
  /** A local scratch directory, removed at the end of the run. */
  work: string;
  /** The run's own store, for fixtures and cleanup (never measured). */
  store: ObjectStore;
}

export const s3 = (latencyMs: number): StoreSpec => ({ backend: 's3', latencyMs });

/** Progress on stderr: a full run takes a while. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Run a job in its own process, saying what runs and how long it took. */
export async function step<J extends Job>(what: string, job: J) {
  const started = performance.now();
  const ran = await runChild(job);
  log(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return ran;
}

/** A child's result with its peak RSS beside the result's own fields. */
export function flat<R extends object>(ran: Ran<R>): R & InChild {
  return { ...ran.result, maxRssMiB: ran.maxRssMiB };
}

/** A child's result under `key`, with the child's peak RSS beside it. */
export function as<K extends string, R>(key: K, ran: Ran<R>): Record<K, R> & InChild {
  return { [key]: ran.result, maxRssMiB: ran.maxRssMiB } as Record<K, R> & InChild;
}

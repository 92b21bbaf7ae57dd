import { once } from 'node:events';
import { writeSync } from 'node:fs';
import { open, PageCache } from '../../src/index.js';
import { rowValue } from '../dataset.js';
import { benchStore, type StoreSpec } from '../stores.js';

/**
 * Scenario 9: one of several writer processes on one database. It says it is ready, waits
 * for the "go" (its stdin closing) so that all start together, then commits `transactions`
 * single-row INSERTs through the retrying `transaction()` helper.
 */
export interface WriterJob {
  kind: 'writer';
  store: StoreSpec;
  prefix: string;
  transactions: number;
}

export interface Writer {
  commits: number;
  /** Commit races this writer lost (each one re-ran its transaction). */
  lostRaces: number;
  /** Epoch milliseconds of the go and of the last commit, to compute the rate across writers. */
  startedAt: number;
  endedAt: number;
  requests: Record<string, number>;
}

export async function writer(job: WriterJob): Promise<Writer> {
  const bench = benchStore(job.store);
  // The default retry budget (32) is for applications; four writers racing flat out on a
  // loaded machine can exceed it, which would measure the budget, not the design.
  const db = await open(
    { store: bench.store, prefix: job.prefix },
    { cache: new PageCache(), maxRetries: 1000 },
  );
  writeSync(1, `${JSON.stringify({ ready: true })}\n`);
  process.stdin.resume();
  await once(process.stdin, 'end');
  bench.base.metrics.reset();
  const startedAt = Date.now();
  for (let i = 0; i < job.transactions; i++) {
    await db.transaction((tx) => tx.run('INSERT INTO t(v) VALUES (?)', [rowValue()]));
  }
  const endedAt = Date.now();
  const { volume } = db.stats();
  const requests = bench.base.metrics.snapshot().requests;
  await db.close();
  await bench.store.close();
  return { commits: volume.commits, lostRaces: volume.conflicts, startedAt, endedAt, requests };
}

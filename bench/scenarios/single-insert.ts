import { open, PageCache } from '../../src/index.js';
import { rowValue } from '../dataset.js';
import { aggregate, measure, type OpResult, type Sample } from '../measure.js';
import { benchStore, type StoreSpec } from '../stores.js';

/**
 * Scenario 3: single-row INSERTs, each its own transaction, on a connection that has just
 * read the table's right-most path (where the rows go), as a running application would have.
 */
export interface SingleInsertJob {
  kind: 'single-insert';
  store: StoreSpec;
  prefix: string;
  inserts: number;
}

/** One commit, for the per-commit chart and the request-count target. */
export interface CommitCost {
  ms: number;
  put: number;
  get: number;
  list: number;
  changedPages: number;
  /** GETs of commit records (probes for a newer head), out of `get`. */
  headProbes: number;
}

export interface SingleInsert {
  insert: OpResult;
  commits: CommitCost[];
}

export async function singleInsert(job: SingleInsertJob): Promise<SingleInsert> {
  const bench = benchStore(job.store);
  const db = await open({ store: bench.store, prefix: job.prefix }, { cache: new PageCache() });
  await db.queryOne('SELECT max(id) FROM t');
  const samples: Sample[] = [];
  const commits: CommitCost[] = [];
  for (let i = 0; i < job.inserts; i++) {
    const before = db.stats().snapshot.seq;
    const { sample } = await measure(bench, () =>
      db.run('INSERT INTO t(v) VALUES (?)', [rowValue()]),
    );
    const { seq, changedPages } = db.stats().snapshot;
    if (seq !== before + 1) throw new Error(`insert made commit ${seq} after ${before}`);
    samples.push(sample);
    commits.push({
      ms: sample.ms,
      put: sample.requests.put,
      get: sample.requests.get,
      list: sample.requests.list,
      changedPages,
      headProbes: sample.byObject.commits?.get ?? 0,
    });
  }
  await db.close();
  await bench.store.close();
  return { insert: aggregate(samples), commits };
}

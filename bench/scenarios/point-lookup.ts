import { open, PageCache, type Database } from '../../src/index.js';
import { LOOKUP } from '../dataset.js';
import { aggregate, measure, type OpResult, type Sample } from '../measure.js';
import { seededRandom } from '../../src/testing/index.js';
import { benchStore, type BenchStore, type StoreSpec } from '../stores.js';

/**
 * Scenario 2: open with a cold cache and look up one row by primary key (`coldRuns` times,
 * each a new connection with a cache of its own); then, on one connection, `warmLookups`
 * lookups of different keys (the B-tree's upper levels are cached by then, its leaves not)
 * and the same keys once more (every page cached: warm).
 */
export interface PointLookupJob {
  kind: 'point-lookup';
  store: StoreSpec;
  prefix: string;
  rows: number;
  coldRuns: number;
  warmLookups: number;
}

export interface PointLookup {
  open: OpResult;
  cold: OpResult;
  firstPass: OpResult;
  warm: OpResult;
  pageSize: number;
  pageCount: number;
}

export async function pointLookup(job: PointLookupJob): Promise<PointLookup> {
  const bench = benchStore(job.store);
  const location = { store: bench.store, prefix: job.prefix };
  const random = seededRandom(6);
  const key = () => 1 + Math.floor(random() * job.rows);
  const opens: Sample[] = [];
  const colds: Sample[] = [];
  for (let run = 0; run < job.coldRuns; run++) {
    const opened = await measure(bench, () => open(location, { cache: new PageCache() }));
    opens.push(opened.sample);
    colds.push(await lookup(bench, opened.value, key()));
    await opened.value.close();
  }
  const db = await open(location, { cache: new PageCache() });
  const keys = Array.from({ length: job.warmLookups }, key);
  const firstPass: Sample[] = [];
  for (const id of keys) firstPass.push(await lookup(bench, db, id));
  const warm: Sample[] = [];
  for (const id of keys) warm.push(await lookup(bench, db, id));
  const { pageSize, pageCount } = db.stats().snapshot;
  await db.close();
  await bench.store.close();
  return {
    open: aggregate(opens),
    cold: aggregate(colds),
    firstPass: aggregate(firstPass),
    warm: aggregate(warm),
    pageSize,
    pageCount,
  };
}

async function lookup(bench: BenchStore, db: Database, id: number): Promise<Sample> {
  const { value: row, sample } = await measure(bench, () =>
    db.queryOne<{ id: number }>(LOOKUP, [id]),
  );
  if (row?.id !== id) throw new Error(`point lookup of ${id} found ${JSON.stringify(row)}`);
  return sample;
}

import { importFromFile, open, PageCache } from '../../src/index.js';
import { SCAN } from '../dataset.js';
import { aggregate, measure, type OpResult, type Sample } from '../measure.js';
import { benchStore, type StoreSpec } from '../stores.js';

/** Scenario 4: a full scan on a new connection with a cold cache, read-ahead on and off. */
export interface ScanJob {
  kind: 'scan';
  store: StoreSpec;
  prefix: string;
  rows: number;
  runs: number;
  /** Also scan with read-ahead off (slow with latency: one round trip per page). */
  withoutReadAhead: boolean;
  /** For a store in this process (memory): the database file to import there first. */
  seedFile?: string;
}

export interface ScanRuns extends OpResult {
  pagesPrefetched: number;
}

export interface Scan {
  readAhead: ScanRuns;
  noReadAhead?: ScanRuns;
  pageSize: number;
  pageCount: number;
}

export async function scan(job: ScanJob): Promise<Scan> {
  const bench = benchStore(job.store);
  // Straight into the store underneath: seeding is not part of the measurement.
  if (job.seedFile) await importFromFile(job.seedFile, { store: bench.base, prefix: job.prefix });
  const location = { store: bench.store, prefix: job.prefix };
  let shape = { pageSize: 0, pageCount: 0 };
  const scans = async (readAheadMax: number | undefined): Promise<ScanRuns> => {
    const samples: Sample[] = [];
    let pagesPrefetched = 0;
    for (let run = 0; run < job.runs; run++) {
      const db = await open(location, { cache: new PageCache(), readAheadMax });
      const { value: totals, sample } = await measure(bench, () =>
        db.queryOne<{ n: number }>(SCAN),
      );
      if (totals?.n !== job.rows)
        throw new Error(`scan counted ${totals?.n} rows, not ${job.rows}`);
      samples.push(sample);
      pagesPrefetched = db.stats().volume.pagesPrefetched;
      shape = db.stats().snapshot;
      await db.close();
    }
    return { ...aggregate(samples), pagesPrefetched };
  };
  const readAhead = await scans(undefined);
  const noReadAhead = job.withoutReadAhead ? await scans(0) : undefined;
  await bench.store.close();
  return { readAhead, noReadAhead, pageSize: shape.pageSize, pageCount: shape.pageCount };
}

import { open, PageCache } from '../../src/index.js';
import { CREATE_TABLE, INSERT_ROW, rowValue } from '../dataset.js';
import { removePrefix } from '../fixtures.js';
import { aggregate, measure, type OpResult, type Sample } from '../measure.js';
import { benchStore, type StoreSpec } from '../stores.js';

/** Scenario 1: `rows` rows inserted through prepared statements in 1 and in N transactions. */
export interface BulkLoadJob {
  kind: 'bulk-load';
  store: StoreSpec;
  prefix: string;
  rows: number;
  /** How many transactions the rows are split into, one load per entry. */
  transactions: number[];
  runs: number;
}

export interface BulkLoad {
  transactions: number;
  load: OpResult;
  pageSize: number;
  pageCount: number;
  /** Pages uploaded before their transaction's commit (the write buffer was full). */
  pagesUploadedEarly: number;
}

export async function bulkLoad(job: BulkLoadJob): Promise<BulkLoad[]> {
  const bench = benchStore(job.store);
  const loads: BulkLoad[] = [];
  for (const transactions of job.transactions) {
    const samples: Sample[] = [];
    let last: Omit<BulkLoad, 'transactions' | 'load'> | undefined;
    for (let run = 0; run < job.runs; run++) {
      // Each run on a fresh prefix: a load into an existing database would be another test.
      const prefix = `${job.prefix}/${transactions}tx-${run}`;
      const db = await open({ store: bench.store, prefix }, { cache: new PageCache() });
      await db.exec(CREATE_TABLE);
      const perTransaction = Math.ceil(job.rows / transactions);
      const { sample } = await measure(bench, async () => {
        for (let first = 1; first <= job.rows; first += perTransaction) {
          await db.transaction(async (tx) => {
            const insert = await tx.prepare(INSERT_ROW);
            const end = Math.min(job.rows, first + perTransaction - 1);
            for (let id = first; id <= end; id++) await insert.run([id, rowValue()]);
            await insert.finalize();
          });
        }
      });
      const count = await db.queryOne<{ n: number }>('SELECT count(*) AS n FROM t');
      if (count?.n !== job.rows) throw new Error(`bulk load: ${count?.n} rows, not ${job.rows}`);
      const { snapshot, volume } = db.stats();
      last = {
        pageSize: snapshot.pageSize,
        pageCount: snapshot.pageCount,
        pagesUploadedEarly: volume.pagesUploadedEarly,
      };
      samples.push(sample);
      await db.close();
      await removePrefix(bench.base, prefix);
    }
    if (last) loads.push({ transactions, load: aggregate(samples), ...last });
  }
  await bench.store.close();
  return loads;
}

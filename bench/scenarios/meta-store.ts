import {
  exportToObject,
  MemoryStore,
  MetaStore,
  PageCache,
  type ResourceMeta,
  type SearchQuery,
} from '../../src/index.js';
import { aggregate, measure, type OpResult, type Sample } from '../measure.js';
import { quantile } from '../stats.js';
import { benchStore, type BenchStore } from '../stores.js';

/**
 * Scenario 10: the metadata store on the S3 server, beside the whole-file approach of AutoCRUD's
 * S3SqliteMetaStore on the same data, in one process:
 * - writes: each its own commit (`autoSync`); grouped by `syncInterval`; and the whole-file
 *   write (HEAD to check the ETag, PUT of the whole file with If-Match, HEAD for the new ETag,
 *   as S3SqliteMetaStore does; its local change costs no request and is left out);
 * - searches over `records` records with a hot indexed field: cold (a new store with an empty
 *   cache: its open and the search) and warm (the same search again, checking the head each
 *   time), beside the whole-file reader's download and the same search on its local copy.
 */
export interface MetaStoreJob {
  kind: 'meta-store';
  prefix: string;
  /** The whole-file object: the same database, exported. */
  wholeKey: string;
  records: number;
  writes: number;
  groupedWrites: number;
  syncIntervalMs: number;
  searchRuns: number;
}

export interface MetaSearch {
  name: string;
  cold: OpResult;
  warm: OpResult;
  /** The same search on the whole-file reader's local copy (median ms, no request). */
  localMs: number;
}

export interface MetaStoreBench {
  records: number;
  pages: number;
  pageSize: number;
  buildSeconds: number;
  autoSync: OpResult;
  /** Commits the autoSync writes made (one each). */
  autoSyncCommits: number;
  /**
   * The most PUTs any autoSync write made beyond the pages its commit changed and the
   * checkpoints it wrote (every `checkpointInterval` commits: the checkpoint and its pointer).
   */
  autoSyncExtraPuts: number;
  /** Checkpoint objects the autoSync writes stored. */
  autoSyncCheckpointPuts: number;
  grouped: { writes: number; syncIntervalMs: number; commits: number; run: OpResult };
  wholeFileWrite: OpResult;
  download: OpResult;
  searches: MetaSearch[];
}

const HOT = { indexedFields: ['email'] };
const STATUSES = ['open', 'closed', 'draft', 'review', 'archived'];
const BATCH = 5000;

function record(i: number, records: number, resourceId = `res-${String(i).padStart(7, '0')}`) {
  return {
    resourceId,
    currentRevisionId: `${resourceId}:${(i % 5) + 1}`,
    totalRevisionCount: (i % 5) + 1,
    createdTime: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
    updatedTime: new Date(Date.UTC(2024, 0, 1) + ((i * 7919) % records) * 60_000),
    createdBy: `user-${i % 50}`,
    updatedBy: `user-${(i * 31) % 50}`,
    isDeleted: i % 20 === 0,
    schemaVersion: 'v1',
    indexedData: {
      email: `user${i}@example.com`,
      status: STATUSES[i % STATUSES.length] as string,
      score: (i * 7) % 100,
      tags: [`t${i % 7}`, `t${i % 11}`],
    },
  } satisfies ResourceMeta;
}

async function fill(store: MetaStore, records: number): Promise<void> {
  for (let start = 0; start < records; start += BATCH) {
    const end = Math.min(records, start + BATCH);
    await store.saveMany(Array.from({ length: end - start }, (_, k) => record(start + k, records)));
  }
}

function queries(records: number): Array<[string, (store: MetaStore) => Promise<unknown>]> {
  const search = (q: SearchQuery) => (store: MetaStore) => store.searchAll(q);
  return [
    [
      'eq on the hot field',
      search({
        conditions: [
          { field: 'email', op: 'eq', value: `user${Math.floor(records / 3)}@example.com` },
        ],
      }),
    ],
    [
      'createdBy + updatedTime range, sorted, first 10',
      search({
        createdBys: ['user-7'],
        updatedTimeStart: new Date(Date.UTC(2024, 0, 30)),
        sorts: [{ field: 'updatedTime', direction: 'desc' }],
      }),
    ],
    [
      'two data fields, first 10 by id',
      search({
        conditions: [
          { field: 'status', op: 'eq', value: 'review' },
          { field: 'score', op: 'gte', value: 95 },
        ],
      }),
    ],
    [
      'count by list membership (a scan)',
      (store) => store.count({ conditions: [{ field: 'tags', op: 'contains', value: 't3' }] }),
    ],
  ];
}

export async function metaStore(job: MetaStoreJob): Promise<MetaStoreBench> {
  const bench = benchStore({ backend: 's3', latencyMs: 0 });
  const where = { store: bench.store, prefix: job.prefix };
  const started = performance.now();
  const builder = await MetaStore.open(where, HOT);
  await fill(builder, job.records);
  const { pageCount: pages, pageSize } = builder.stats().snapshot;
  await builder.close();
  const buildSeconds = (performance.now() - started) / 1000;
  await exportToObject(where, { store: bench.base, key: job.wholeKey });
  const local = await MetaStore.open({ store: new MemoryStore(), prefix: 'local' }, HOT);
  await fill(local, job.records);

  const writes = await autoSyncWrites(bench, where, job);
  const grouped = await groupedWrites(bench, where, job);
  const whole = await wholeFile(bench, job);

  const searches: MetaSearch[] = [];
  for (const [name, run] of queries(job.records)) {
    const cache = new PageCache();
    let store: MetaStore | undefined;
    const cold = await measure(bench, async () => {
      store = await MetaStore.open(where, { ...HOT, readCheckInterval: 0, openOptions: { cache } });
      await run(store);
    });
    const warm: Sample[] = [];
    for (let i = 0; i < job.searchRuns; i++)
      warm.push((await measure(bench, () => run(store as MetaStore))).sample);
    await store?.close();
    const localMs: number[] = [];
    for (let i = 0; i < job.searchRuns; i++) {
      const t = performance.now();
      await run(local);
      localMs.push(performance.now() - t);
    }
    searches.push({
      name,
      cold: aggregate([cold.sample]),
      warm: aggregate(warm),
      localMs: quantile(localMs, 0.5),
    });
  }
  await local.close();
  await bench.store.close();
  return {
    records: job.records,
    pages,
    pageSize,
    buildSeconds,
    ...writes,
    grouped,
    ...whole,
    searches,
  };
}

type Where = { store: BenchStore['store']; prefix: string };

async function autoSyncWrites(bench: BenchStore, where: Where, job: MetaStoreJob) {
  const store = await MetaStore.open(where, HOT);
  // The store's first write reads the table's right-most path, as a running service has.
  await store.set('warm-up', record(job.records, job.records, 'warm-up'));
  const first = store.stats().snapshot.seq;
  const samples: Sample[] = [];
  let extra = 0;
  let checkpointPuts = 0;
  for (let i = 0; i < job.writes; i++) {
    const meta = record(i, job.records, `auto-${i}`);
    const { sample } = await measure(bench, () => store.set(meta.resourceId, meta));
    samples.push(sample);
    const checkpoints =
      (sample.byObject.checkpoints?.put ?? 0) + (sample.byObject['latest-checkpoint']?.put ?? 0);
    checkpointPuts += checkpoints;
    extra = Math.max(
      extra,
      sample.requests.put - checkpoints - store.stats().snapshot.changedPages,
    );
  }
  const autoSyncCommits = store.stats().snapshot.seq - first;
  await store.close();
  return {
    autoSync: aggregate(samples),
    autoSyncCommits,
    autoSyncExtraPuts: extra,
    autoSyncCheckpointPuts: checkpointPuts,
  };
}

async function groupedWrites(bench: BenchStore, where: Where, job: MetaStoreJob) {
  const store = await MetaStore.open(where, { ...HOT, syncInterval: job.syncIntervalMs });
  const first = store.stats().snapshot.seq;
  const { sample } = await measure(bench, async () => {
    for (let i = 0; i < job.groupedWrites; i++) {
      const meta = record(i, job.records, `grouped-${i}`);
      await store.set(meta.resourceId, meta);
    }
    await store.sync();
  });
  const commits = store.stats().snapshot.seq - first;
  await store.close();
  return {
    writes: job.groupedWrites,
    syncIntervalMs: job.syncIntervalMs,
    commits,
    run: aggregate([sample]),
  };
}

async function wholeFile(bench: BenchStore, job: MetaStoreJob) {
  const { value: file, sample: download } = await measure(bench, () =>
    bench.store.get(job.wholeKey),
  );
  let etag = file.etag;
  const writes: Sample[] = [];
  for (let i = 0; i < Math.min(job.writes, 5); i++) {
    const { sample } = await measure(bench, async () => {
      if ((await bench.store.head(job.wholeKey)).etag !== etag)
        throw new Error('whole-file: the object changed under the bench');
      await bench.store.put(job.wholeKey, file.body, { ifMatch: etag });
      etag = (await bench.store.head(job.wholeKey)).etag;
    });
    writes.push(sample);
  }
  return { wholeFileWrite: aggregate(writes), download: aggregate([download]) };
}

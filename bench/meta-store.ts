/**
 * The metadata store on S3 beside the whole-file approach, in one run:
 *   npx tsx bench/meta-store.ts [--records 100000] [--writes 40]
 * 1. writes: each its own commit (autoSync); grouped by syncInterval; and the whole-file way of
 *    S3SqliteMetaStore (HEAD to check the ETag, PUT of the whole file, HEAD for the new ETag)
 *    at the size of the same database;
 * 2. searches over `records` records with a hot indexed field, each by a new connection (cold
 *    cache) and repeated (warm); and the whole-file way: download the file, then the same
 *    search on a local copy.
 * Needs S3_ENDPOINT and credentials (eval "$(scripts/start-minio.sh)").
 */
import { randomUUID } from 'node:crypto';
import { MetaStore, type ResourceMeta, type SearchQuery } from '../src/meta-store/index.js';
import { MemoryStore, S3Store, type ObjectStore } from '../src/store/index.js';
import { PageCache } from '../src/volume/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const records = arg('records', 100_000);
const writes = arg('writes', 40);
const bucket = process.env.S3_BUCKET ?? 's3lite-test';
const run = `bench-meta-${randomUUID().slice(0, 8)}`;
// The pinned AWS SDK works on Node 20; its notice about 2027 releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const s3 = new S3Store({ bucket, endpoint: process.env.S3_ENDPOINT });
const location = { store: s3, prefix: `${run}/meta` };
const hot = { indexedFields: ['email'] };

const STATUSES = ['open', 'closed', 'draft', 'review', 'archived'];
function record(i: number): ResourceMeta {
  const id = `res-${String(i).padStart(7, '0')}`;
  return {
    resourceId: id,
    currentRevisionId: `${id}:${(i % 5) + 1}`,
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
  };
}

async function fill(store: MetaStore): Promise<void> {
  for (let start = 0; start < records; start += 5000) {
    const end = Math.min(records, start + 5000);
    await store.saveMany(Array.from({ length: end - start }, (_, k) => record(start + k)));
  }
}

/** Wall time and requests of `fn` on `store`. */
async function measure(store: ObjectStore, fn: () => Promise<unknown>) {
  store.metrics.reset();
  const started = performance.now();
  await fn();
  const ms = performance.now() - started;
  const { requests, bytesOut, bytesIn } = store.metrics.snapshot();
  return { ms, requests, bytesOut, bytesIn };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const rows: string[][] = [];
const row = (...cells: Array<string | number>) =>
  rows.push(cells.map((c) => (typeof c === 'number' ? c.toFixed(c < 10 ? 2 : 0) : c)));

console.error(`building ${records} records on ${s3.location}/${run} …`);
const started = performance.now();
const builder = await MetaStore.open(location, hot);
await fill(builder);
const { pageCount, pageSize } = builder.stats().snapshot;
const fileBytes = pageCount * pageSize;
await builder.close();
console.error(
  `  ${((performance.now() - started) / 1000).toFixed(0)} s, ${pageCount} pages, ${(fileBytes / 1048576).toFixed(1)} MiB`,
);

// The whole-file approach works on a local copy: an in-memory database stands in for it.
const local = await MetaStore.open({ store: new MemoryStore(), prefix: 'local' }, hot);
await fill(local);
const wholeKey = `${run}/whole.sqlite`;
await s3.put(wholeKey, new Uint8Array(fileBytes));

// 1. Writes.
rows.push(['writes', 'writes/s', 'PUTs/write', 'GETs/write', 'KiB up/write', 'commits']);
{
  const store = await MetaStore.open(location, hot);
  const warmUp = record(records + 1);
  await store.set(warmUp.resourceId, warmUp);
  const seq = store.stats().snapshot.seq;
  const m = await measure(s3, async () => {
    for (let i = 0; i < writes; i++)
      await store.set(`auto-${i}`, { ...record(i), resourceId: `auto-${i}` });
  });
  row(
    'autoSync (1 commit each)',
    writes / (m.ms / 1000),
    m.requests.put / writes,
    m.requests.get / writes,
    m.bytesOut / 1024 / writes,
    store.stats().snapshot.seq - seq,
  );
  await store.close();
}
{
  const n = writes * 25;
  const store = await MetaStore.open(location, { ...hot, syncInterval: 100 });
  const seq = store.stats().snapshot.seq;
  const m = await measure(s3, async () => {
    for (let i = 0; i < n; i++)
      await store.set(`grouped-${i}`, { ...record(i), resourceId: `grouped-${i}` });
    await store.sync();
  });
  row(
    `syncInterval 100 ms (${n} writes)`,
    n / (m.ms / 1000),
    m.requests.put / n,
    m.requests.get / n,
    m.bytesOut / 1024 / n,
    store.stats().snapshot.seq - seq,
  );
  await store.close();
}
{
  const n = Math.max(2, Math.min(5, writes));
  const m = await measure(s3, async () => {
    for (let i = 0; i < n; i++) {
      await s3.head(wholeKey);
      await s3.put(wholeKey, new Uint8Array(fileBytes));
      await s3.head(wholeKey);
    }
  });
  row(
    `whole file (${(fileBytes / 1048576).toFixed(1)} MiB each)`,
    n / (m.ms / 1000),
    m.requests.put / n,
    m.requests.get / n,
    m.bytesOut / 1024 / n,
    n,
  );
}

// 2. Searches.
const QUERIES: Array<[string, SearchQuery | { count: SearchQuery }]> = [
  [
    'eq on the hot field',
    {
      conditions: [
        { field: 'email', op: 'eq', value: `user${Math.floor(records / 3)}@example.com` },
      ],
    },
  ],
  [
    'createdBy + updatedTime, sorted, 10',
    {
      createdBys: ['user-7'],
      updatedTimeStart: new Date(Date.UTC(2024, 0, 30)),
      sorts: [{ field: 'updatedTime', direction: 'desc' }],
    },
  ],
  [
    'two data fields, first 10 by id',
    {
      conditions: [
        { field: 'status', op: 'eq', value: 'review' },
        { field: 'score', op: 'gte', value: 95 },
      ],
    },
  ],
  [
    'count of a data field (scan)',
    { count: { conditions: [{ field: 'tags', op: 'contains', value: 't3' }] } },
  ],
];
const runQuery = (store: MetaStore, q: SearchQuery | { count: SearchQuery }) =>
  'count' in q ? store.count(q.count) : store.searchAll(q);

rows.push([]);
rows.push([
  'search',
  'cold ms',
  'cold GETs',
  'warm ms',
  'warm GETs',
  'whole file: download + local ms',
]);
const download = await measure(s3, () => s3.get(wholeKey));
for (const [name, q] of QUERIES) {
  const store = await MetaStore.open(location, {
    ...hot,
    readCheckInterval: 0,
    openOptions: { cache: new PageCache() },
  });
  const cold = await measure(s3, () => runQuery(store, q));
  const warm = [];
  for (let i = 0; i < 5; i++) warm.push(await measure(s3, () => runQuery(store, q)));
  await store.close();
  const localMs = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await runQuery(local, q);
    localMs.push(performance.now() - t);
  }
  row(
    name,
    cold.ms,
    cold.requests.get,
    median(warm.map((w) => w.ms)),
    median(warm.map((w) => w.requests.get)),
    `${download.ms.toFixed(0)} + ${median(localMs).toFixed(1)}`,
  );
}
await local.close();

const widths = rows.reduce<number[]>(
  (w, r) => r.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
  [],
);
for (const r of rows)
  console.log(
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  '),
  );

console.error('cleaning up …');
const keys: string[] = [];
for await (const object of s3.listAll(`${run}/`)) keys.push(object.key);
await s3.deleteMany(keys);
await s3.close();

/**
 * Import and export speed beside the server's own ceiling, in one run:
 *   npx tsx bench/transfer.ts [--mib 256] [--page-size 65536]
 * 1. raw: PUT then GET of page-sized objects, 64 in flight (what the server can do);
 * 2. import of a database file of that size, then its export, each in a child process
 *    whose peak RSS is reported.
 * Needs S3_ENDPOINT and credentials (eval "$(scripts/start-minio.sh)").
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pLimit from 'p-limit';
import { S3Store } from '../src/store/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const mib = arg('mib', 256);
const pageSize = arg('page-size', 65536);
const bucket = process.env.S3_BUCKET ?? 's3lite-test';
const run = `bench-${randomUUID().slice(0, 8)}`;
const work = mkdtempSync(path.join(tmpdir(), 's3lite-bench-'));
// The pinned AWS SDK works on Node 20; its notice about 2027 releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const store = new S3Store({ bucket, endpoint: process.env.S3_ENDPOINT });

async function raw(count: number) {
  const body = new Uint8Array(pageSize).map((_, i) => i & 0xff);
  const limit = pLimit(64);
  const keys = Array.from({ length: count }, (_, i) => `${run}/raw/${i}`);
  let started = performance.now();
  await Promise.all(keys.map((key) => limit(() => store.put(key, body))));
  const putSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await Promise.all(keys.map((key) => limit(() => store.get(key))));
  const getSeconds = (performance.now() - started) / 1000;
  await store.deleteMany(keys);
  const perSecond = (seconds: number) => ({
    objectsPerSecond: count / seconds,
    mibPerSecond: (count * pageSize) / 1048576 / seconds,
  });
  return { put: perSecond(putSeconds), get: perSecond(getSeconds) };
}

function child(direction: 'import' | 'export', file: string) {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/transfer-child.ts',
      JSON.stringify({ direction, file, prefix: `${run}/db`, bucket }),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (result.status !== 0) throw new Error(`${direction} failed: ${result.stderr}`);
  const summary = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as {
    bytes: number;
    seconds: number;
    maxRssMiB: number;
    requests: Record<string, number>;
  };
  return { ...summary, mibPerSecond: summary.bytes / 1048576 / summary.seconds };
}

const source = path.join(work, 'source.sqlite');
const rows = Math.ceil((mib * 1048576) / 4096);
execFileSync('sqlite3', [
  source,
  `PRAGMA page_size=${pageSize}; PRAGMA journal_mode=OFF; CREATE TABLE t(v BLOB);
   INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${rows}) SELECT randomblob(4000) FROM c`,
]);
const size = statSync(source).size;
const pages = size / pageSize;
const ceiling = await raw(Math.min(pages, 4000));
const imported = child('import', source);
const exported = child('export', path.join(work, 'exported.sqlite'));
const result = {
  date: new Date().toISOString(),
  database: { mib: size / 1048576, pageSize, pages },
  raw: ceiling,
  import: imported,
  export: exported,
  importShareOfRawPut: imported.mibPerSecond / ceiling.put.mibPerSecond,
  exportShareOfRawGet: exported.mibPerSecond / ceiling.get.mibPerSecond,
};
console.log(JSON.stringify(result, null, 2));
const keys: string[] = [];
for await (const object of store.listAll(`${run}/`)) keys.push(object.key);
await store.deleteMany(keys);
await store.close();
rmSync(work, { recursive: true, force: true });

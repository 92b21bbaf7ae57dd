/**
 * Peak memory of rewriting a whole database in ONE transaction: every page is changed, so
 * SQLite journals every original page image (before s3lite's SnapshotJournal, the rollback
 * journal held them all in memory). The database lives in a FileStore in a temporary
 * directory, so that the store's own memory does not count.
 *
 *   npx tsx bench/rewrite-memory.ts [megabytes…]      default: 100 300
 *
 * `REWRITE_BUFFER_MIB=16` runs the rewrite with a 16 MiB page cache and write buffer instead
 * of the defaults (64 MiB each), to see what the options bound.
 *
 * For each size: a fresh database of that many MB is loaded in 10 MB transactions by one
 * process, then a second process rewrites every row in one transaction and reports its peak
 * RSS (getrusage's maxrss) and the time taken.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStore, open, PageCache } from '../src/index.js';

const ROW_BYTES = 1000;
const ROWS_PER_MB = 1000;

async function load(root: string, megabytes: number): Promise<void> {
  const db = await open({ store: new FileStore({ root }), prefix: 'db' });
  await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)');
  for (let mb = 0; mb < megabytes; mb += 10) {
    const rows = Math.min(10, megabytes - mb) * ROWS_PER_MB;
    await db.run(
      `INSERT INTO t(v) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
       SELECT randomblob(${ROW_BYTES}) FROM c`,
      [rows],
    );
  }
  await db.close();
}

async function rewrite(root: string): Promise<void> {
  const buffer = Number(process.env.REWRITE_BUFFER_MIB ?? 64) * 1024 * 1024;
  const db = await open(
    { store: new FileStore({ root }), prefix: 'db' },
    { cache: new PageCache(buffer), writeBufferBytes: buffer },
  );
  const started = performance.now();
  await db.transaction(async () => {
    await db.run(`UPDATE t SET v = randomblob(${ROW_BYTES})`);
  });
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({ peakRssMiB: Math.round(peak), seconds: Number(seconds.toFixed(1)) }),
  );
}

const [mode, root, size] = process.argv.slice(2);
if (mode === '--load') await load(root as string, Number(size));
else if (mode === '--rewrite') await rewrite(root as string);
else {
  const self = fileURLToPath(import.meta.url);
  const tsx = path.resolve(path.dirname(self), '../node_modules/.bin/tsx');
  const sizes = process.argv.slice(2).map(Number);
  for (const megabytes of sizes.length > 0 ? sizes : [100, 300]) {
    const dir = mkdtempSync(path.join(tmpdir(), 's3lite-rewrite-'));
    try {
      execFileSync(tsx, [self, '--load', dir, String(megabytes)], { stdio: 'inherit' });
      const result = execFileSync(tsx, [self, '--rewrite', dir], { encoding: 'utf8' });
      console.log(`${megabytes} MB rewritten in one transaction: ${result.trim()}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * Scenario 11: rewriting a whole database in ONE transaction. Every page changes, so SQLite
 * journals every original page image and the volume uploads the new pages early: the peak RSS
 * shows whether a transaction of any size runs in memory bounded by the options. The database
 * lives in a FileStore in a local directory, so that the store's own memory does not count.
 */
import { FileStore, open, PageCache } from '../../src/index.js';

const ROW_BYTES = 1000;
const ROWS_PER_MB = 1000;

/** Build the database (its own process: the rewrite's peak must be the rewrite's alone). */
export interface RewriteLoadJob {
  kind: 'rewrite-load';
  root: string;
  megabytes: number;
}

export interface RewriteJob {
  kind: 'rewrite';
  root: string;
  /** Page cache and write buffer of the rewrite, each (default: the library's, 64 MiB). */
  bufferMiB?: number;
}

export interface Rewrite {
  seconds: number;
}

/** A fresh database of `megabytes` MB of 1 KB rows, loaded in 10 MB transactions. */
export async function loadRewriteDatabase(job: RewriteLoadJob): Promise<Record<string, never>> {
  const db = await open({ store: new FileStore({ root: job.root }), prefix: 'db' });
  await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)');
  for (let mb = 0; mb < job.megabytes; mb += 10) {
    const rows = Math.min(10, job.megabytes - mb) * ROWS_PER_MB;
    await db.run(
      `INSERT INTO t(v) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
       SELECT randomblob(${ROW_BYTES}) FROM c`,
      [rows],
    );
  }
  await db.close();
  return {};
}

/** Every row rewritten in one transaction. */
export async function rewrite(job: RewriteJob): Promise<Rewrite> {
  const buffer = job.bufferMiB === undefined ? {} : bufferOptions(job.bufferMiB);
  const db = await open({ store: new FileStore({ root: job.root }), prefix: 'db' }, buffer);
  const started = performance.now();
  await db.transaction(async () => {
    await db.run(`UPDATE t SET v = randomblob(${ROW_BYTES})`);
  });
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  return { seconds };
}

function bufferOptions(mib: number): { cache: PageCache; writeBufferBytes: number } {
  const bytes = mib * 1024 * 1024;
  return { cache: new PageCache(bytes), writeBufferBytes: bytes };
}

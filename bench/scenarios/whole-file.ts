import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { rowValue } from '../dataset.js';
import { aggregate, measure, type OpResult, type Sample } from '../measure.js';
import { seededRandom } from '../../src/testing/index.js';
import { summarize } from '../stats.js';
import { benchStore, type BenchStore } from '../stores.js';

const run = promisify(execFile);

/**
 * Scenario 8, the baseline: the whole-file approach of s3sqlite-db and AutoCRUD's
 * S3SqliteMetaStore. The database is one object; a cold reader GETs all of it into a local
 * file and queries that with sqlite3; a warm reader HEADs the object to learn that its copy
 * is current; a writer changes its local copy and PUTs the whole file back with If-Match
 * (the ETag it downloaded or last wrote), so that a concurrent writer is not overwritten.
 */
export interface WholeFileJob {
  kind: 'whole-file';
  /** Added before each request (streamed GETs bypass the LatencyStore, so it is done here). */
  latencyMs: number;
  key: string;
  /** The local copy. */
  file: string;
  rows: number;
  coldRuns: number;
  warmLookups: number;
  inserts: number;
}

export interface WholeFile {
  cold: OpResult;
  warm: OpResult;
  insert: OpResult;
  /** Per-commit milliseconds, in order, for the chart beside s3lite's. */
  insertMs: number[];
  /** Starting the sqlite3 command, included in every figure above. */
  sqliteStartMs: number;
}

export async function wholeFile(job: WholeFileJob): Promise<WholeFile> {
  const bench = benchStore({ backend: 's3', latencyMs: 0 });
  const delay = () => sleep(job.latencyMs);
  const random = seededRandom(8);
  const key = () => 1 + Math.floor(random() * job.rows);
  let etag = '';
  const download = async () => {
    await delay();
    const { info, body } = await bench.store.getStream(job.key);
    await pipeline(Readable.from(body), createWriteStream(job.file));
    etag = info.etag;
  };
  const cold: Sample[] = [];
  for (let i = 0; i < job.coldRuns; i++) {
    cold.push(await sequential(bench, () => download().then(() => query(job.file, key()))));
  }
  const warm: Sample[] = [];
  for (let i = 0; i < job.warmLookups; i++) {
    const sample = await sequential(bench, async () => {
      await delay();
      const info = await bench.store.head(job.key);
      if (info.etag !== etag) throw new Error('whole-file: the object changed under the bench');
      await query(job.file, key());
    });
    warm.push(sample);
  }
  const insert: Sample[] = [];
  for (let i = 0; i < job.inserts; i++) {
    const sample = await sequential(bench, async () => {
      await run('sqlite3', [job.file, `INSERT INTO t(v) VALUES ('${rowValue()}')`]);
      await delay();
      etag = (await bench.store.put(job.key, await readFile(job.file), { ifMatch: etag })).etag;
    });
    insert.push(sample);
  }
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await run('sqlite3', [':memory:', 'SELECT 1']);
    starts.push(performance.now() - started);
  }
  await bench.store.close();
  return {
    cold: aggregate(cold),
    warm: aggregate(warm),
    insert: aggregate(insert),
    insertMs: insert.map((s) => s.ms),
    sqliteStartMs: summarize(starts).median,
  };
}

/** A measurement whose requests are made one after another: each is a round trip. */
async function sequential(bench: BenchStore, fn: () => Promise<void>): Promise<Sample> {
  const { sample } = await measure(bench, fn);
  const requests = Object.values(sample.requests).reduce((a, b) => a + b, 0);
  return { ...sample, roundTrips: requests };
}

async function query(file: string, id: number): Promise<void> {
  const { stdout } = await run('sqlite3', [file, `SELECT id, length(v) FROM t WHERE id = ${id}`]);
  if (!stdout.startsWith(`${id}|`)) throw new Error(`whole-file lookup of ${id}: "${stdout}"`);
}

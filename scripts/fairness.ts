/**
 * Spread of commits among competing writers:
 *
 *   npx tsx scripts/fairness.ts [writers] [seconds] [latencyMs] [--processes file|s3]
 *
 * Each writer is its own connection (own store object) and runs one-row `transaction()`s in a
 * loop. By default all writers share this process (and so one wa-sqlite module lock) and an
 * in-memory store behind `latencyMs` per request. With `--processes` each writer is its own
 * Node process, as separate machines would be, on one FileStore directory (`file`, behind
 * `latencyMs`) or on the S3 server of the environment (`s3`: S3_ENDPOINT, S3_BUCKET,
 * AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, as `source /work/s3env.sh` sets them).
 * Prints commits per writer with min / median / max, and the longest run of commit races each
 * writer lost in a row.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { open } from '../src/db/index.js';
import { MemoryStore, type ObjectStore } from '../src/store/index.js';
import { LatencyStore } from '../src/testing/index.js';
import { PageCache } from '../src/volume/index.js';
import { storeAt, type Location } from '../test/workers/io.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { processes: { type: 'string' }, child: { type: 'string' } },
});
const writers = Number(positionals[0] ?? 8);
const seconds = Number(positionals[1] ?? 20);
const latencyMs = Number(positionals[2] ?? 10);

/** What one writer did. */
interface WriterReport {
  commits: number;
  /** The most commit races it lost between two of its commits. */
  longestStreak: number;
  /** Turns it took (commits that change nothing, see src/volume/turn.ts). */
  turns: number;
}

/** One writer's connection: `run` commits until `deadline` (epoch ms) and reports. */
async function writer(shared: ObjectStore, prefix: string, index: number) {
  const store = latencyMs > 0 ? new LatencyStore(shared, { latencyMs }) : shared;
  const db = await open({ store, prefix }, { cache: new PageCache(), maxRetries: 100_000 });
  return async (deadline: number): Promise<WriterReport> => {
    const report: WriterReport = { commits: 0, longestStreak: 0, turns: 0 };
    while (Date.now() < deadline) {
      const lostBefore = db.stats().volume.conflicts;
      await db.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', [index, report.commits]));
      report.commits += 1;
      const streak = db.stats().volume.conflicts - lostBefore;
      report.longestStreak = Math.max(report.longestStreak, streak);
    }
    report.turns = db.stats().volume.turns ?? 0;
    await db.close();
    return report;
  };
}

/**
 * Run this script again as writer `index` in a child process. It says `ready` once its
 * connection is open; `start(deadline)` then makes it write until `deadline` and resolves with
 * its report, so that every writer starts at the same moment however long it took to load.
 */
async function childWriter(location: Location, index: number) {
  const script = fileURLToPath(import.meta.url);
  const args = [String(index), String(seconds), String(latencyMs)];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, ...args, '--child', JSON.stringify(location)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = await lines.next();
  if (ready.done) throw new Error(`writer ${index} ended before it was ready`);
  return async (deadline: number): Promise<WriterReport> => {
    child.stdin.end(`${deadline}\n`);
    const report = await lines.next();
    if (report.done) throw new Error(`writer ${index} ended without a report`);
    return JSON.parse(report.value) as WriterReport;
  };
}

async function child(json: string): Promise<void> {
  const location = JSON.parse(json) as Location;
  const store = storeAt(location);
  const run = await writer(store, location.prefix, Number(positionals[0]));
  process.stdout.write('ready\n');
  const [deadline] = await once(createInterface({ input: process.stdin }), 'line');
  process.stdout.write(`${JSON.stringify(await run(Number(deadline)))}\n`);
  await store.close();
}

async function main(): Promise<void> {
  const kind = values.processes;
  if (kind !== undefined && kind !== 'file' && kind !== 's3') {
    throw new Error(`--processes takes file or s3, not ${kind}`);
  }
  const prefix = `fairness-${randomUUID().slice(0, 8)}`;
  const root = kind === 'file' ? await mkdtemp(path.join(tmpdir(), 'fairness-')) : '';
  const location: Location | undefined =
    kind === 'file' ? { kind, root, prefix } : kind === 's3' ? { kind, prefix } : undefined;
  const shared = location ? storeAt(location) : new MemoryStore();
  const setup = await open({ store: shared, prefix }, { cache: new PageCache() });
  await setup.exec('CREATE TABLE t(writer INTEGER, n INTEGER)');
  await setup.close();

  const runs = await Promise.all(
    Array.from({ length: writers }, (_, index) =>
      location ? childWriter(location, index) : writer(shared, prefix, index),
    ),
  );
  const deadline = Date.now() + seconds * 1000;
  const reports = await Promise.all(runs.map((run) => run(deadline)));
  if (kind === 'file') await rm(root, { recursive: true, force: true });
  if (kind === 's3') {
    const keys: string[] = [];
    for await (const object of shared.listAll(`${prefix}/`)) keys.push(object.key);
    await shared.deleteMany(keys);
  }
  await shared.close();
  const counts = reports.map((report) => report.commits);
  const sorted = [...counts].sort((a, b) => a - b);
  const median =
    (sorted[Math.floor((writers - 1) / 2)]! + sorted[Math.ceil((writers - 1) / 2)]!) / 2;
  const where = kind
    ? `separate processes on ${kind === 'file' ? 'a FileStore' : 'S3'}`
    : 'one process, MemoryStore';
  console.log(`commits per writer: ${counts.join(' ')}`);
  console.log(`longest losing streak per writer: ${reports.map((r) => r.longestStreak).join(' ')}`);
  console.log(`turns taken per writer: ${reports.map((r) => r.turns).join(' ')}`);
  console.log(
    `min ${sorted[0]} median ${median} max ${sorted.at(-1)} total ${sorted.reduce((a, b) => a + b)}` +
      ` (${writers} writers, ${seconds} s, ${latencyMs} ms added per request, ${where})`,
  );
}

if (values.child !== undefined) await child(values.child);
else await main();

/**
 * Spread of commits among competing writers: `npx tsx scripts/fairness.ts [writers] [seconds]
 * [latencyMs] [--processes]`. Each writer is its own connection (own store object) on one
 * database behind a fixed per-request latency, and runs one-row `transaction()`s in a loop.
 * By default all writers share this process (and so one wa-sqlite module lock, which caps
 * throughput) and an in-memory store; with `--processes` each is its own Node process on one
 * FileStore directory, as separate machines would be. Prints commits per writer and
 * min / median / max.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from '../src/db/index.js';
import { FileStore, LatencyStore, MemoryStore, type ObjectStore } from '../src/store/index.js';
import { PageCache } from '../src/volume/index.js';

const [writersArg, secondsArg, latencyArg, mode, rootArg, deadlineArg] = process.argv.slice(2);
const writers = Number(writersArg ?? 8);
const seconds = Number(secondsArg ?? 20);
const latencyMs = Number(latencyArg ?? 10);
const prefix = 'fairness';

/** One writer: commits until `deadline` (epoch ms) on its own connection; returns how many. */
async function write(shared: ObjectStore, writer: number, deadline: number): Promise<number> {
  const store = new LatencyStore(shared, { latencyMs });
  const db = await open({ store, prefix }, { cache: new PageCache(), maxRetries: 1_000 });
  let commits = 0;
  while (Date.now() < deadline) {
    await db.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', [writer, commits]));
    commits += 1;
  }
  await db.close();
  return commits;
}

/** Run this script again as writer `writer` in a child process; resolves with its count. */
function writeInChild(root: string, writer: number, deadline: number): Promise<number> {
  const script = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', script, String(writer), String(seconds), String(latencyMs)];
  const child = spawn(process.execPath, [...args, '--child', root, String(deadline)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`writer ${writer} exited ${code}`)),
    ),
  );
}

async function main(): Promise<void> {
  if (mode === '--child') {
    // Every child starts at the same instant, however long it took to load.
    const deadline = Number(deadlineArg);
    await new Promise((resolve) => setTimeout(resolve, deadline - seconds * 1000 - Date.now()));
    const commits = await write(new FileStore({ root: rootArg! }), writers, deadline);
    process.stdout.write(String(commits));
    return;
  }
  const processes = mode === '--processes';
  const root = processes ? await mkdtemp(path.join(tmpdir(), 'fairness-')) : '';
  const shared = processes ? new FileStore({ root }) : new MemoryStore();
  const setup = await open({ store: shared, prefix }, { cache: new PageCache() });
  await setup.exec('CREATE TABLE t(writer INTEGER, n INTEGER)');
  await setup.close();

  // Child processes need a few seconds to load: they all start 10 s from now.
  const deadline = Date.now() + (processes ? 10 : 0) * 1000 + seconds * 1000;
  const counts = await Promise.all(
    Array.from({ length: writers }, (_, writer) =>
      processes ? writeInChild(root, writer, deadline) : write(shared, writer, deadline),
    ),
  );
  if (processes) await rm(root, { recursive: true, force: true });
  const sorted = [...counts].sort((a, b) => a - b);
  const median =
    (sorted[Math.floor((writers - 1) / 2)]! + sorted[Math.ceil((writers - 1) / 2)]!) / 2;
  console.log(`commits per writer: ${counts.join(' ')}`);
  console.log(
    `min ${sorted[0]} median ${median} max ${sorted.at(-1)} (${writers} writers, ${seconds} s, ` +
      `${latencyMs} ms per request${processes ? ', separate processes on a FileStore' : ''})`,
  );
}

await main();

/**
 * Spread of commits among competing writers: `npx tsx scripts/fairness.ts [writers] [seconds]
 * [latencyMs]`. Each writer is its own connection (own store object, as separate processes
 * would be) on one in-memory database behind a fixed per-request latency, and runs
 * one-row `transaction()`s in a loop. Prints commits per writer and min / median / max.
 */
import { open } from '../src/db/index.js';
import { MemoryStore } from '../src/store/index.js';
import { LatencyStore } from '../src/testing/index.js';
import { PageCache } from '../src/volume/index.js';

const writers = Number(process.argv[2] ?? 8);
const seconds = Number(process.argv[3] ?? 20);
const latencyMs = Number(process.argv[4] ?? 10);

const shared = new MemoryStore();
const prefix = 'fairness';
const setup = await open({ store: shared, prefix }, { cache: new PageCache() });
await setup.exec('CREATE TABLE t(writer INTEGER, n INTEGER)');
await setup.close();

const deadline = Date.now() + seconds * 1000;
const counts = await Promise.all(
  Array.from({ length: writers }, async (_, writer) => {
    const store = new LatencyStore(shared, { latencyMs });
    const db = await open({ store, prefix }, { cache: new PageCache(), maxRetries: 1_000 });
    let commits = 0;
    while (Date.now() < deadline) {
      await db.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', [writer, commits]));
      commits += 1;
    }
    await db.close();
    return commits;
  }),
);
const sorted = [...counts].sort((a, b) => a - b);
const median = (sorted[Math.floor((writers - 1) / 2)]! + sorted[Math.ceil((writers - 1) / 2)]!) / 2;
console.log(`commits per writer: ${counts.join(' ')}`);
console.log(
  `min ${sorted[0]} median ${median} max ${sorted.at(-1)} (${writers} writers, ${seconds} s, ${latencyMs} ms per request)`,
);

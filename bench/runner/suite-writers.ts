import { open } from '../../src/index.js';
import { CREATE_TABLE } from '../dataset.js';
import { removePrefix } from '../fixtures.js';
import type { Concurrency } from '../results.js';
import type { Writer } from '../scenarios/writer.js';
import { startJob, type Ran } from './spawn.js';
import { log, s3, type RunContext } from './steps.js';

/**
 * Scenario 9: `config.writers` processes commit single-row inserts to one database at once.
 * The rate is over the span from the first writer's start to the last one's end; afterwards
 * the table must hold exactly one row per commit.
 */
export async function writers(run: RunContext, latencyMs: number): Promise<Concurrency> {
  const { config, store } = run;
  const prefix = `${run.root}/writers-${latencyMs}`;
  const db = await open({ store, prefix });
  await db.exec(CREATE_TABLE);
  await db.close();
  const started = performance.now();
  const children = Array.from({ length: config.writers }, () =>
    startJob({
      kind: 'writer',
      store: s3(latencyMs),
      prefix,
      transactions: config.writerTransactions,
    }),
  );
  for (const c of children) await c.next<{ ready: boolean }>();
  const ran = await Promise.all(children.map((c) => c.result<Ran<Writer>>()));
  log(
    `9. ${config.writers} writers, ${latencyMs} ms latency: ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const results: Writer[] = ran.map((r) => r.result);
  const check = await open({ store, prefix });
  const rows = (await check.queryOne<{ n: number }>('SELECT count(*) AS n FROM t'))?.n;
  await check.close();
  await removePrefix(store, prefix);
  const commits = results.reduce((sum, r) => sum + r.commits, 0);
  if (rows !== config.writers * config.writerTransactions || commits !== rows) {
    throw new Error(`${config.writers} writers made ${commits} commits and left ${rows} rows`);
  }
  const lostRaces = results.reduce((sum, r) => sum + r.lostRaces, 0);
  const seconds =
    (Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt))) /
    1000;
  const requests: Record<string, number> = {};
  for (const r of results) {
    for (const [op, n] of Object.entries(r.requests)) requests[op] = (requests[op] ?? 0) + n;
  }
  return {
    backend: 's3',
    latencyMs,
    writers: config.writers,
    transactionsEach: config.writerTransactions,
    commits,
    lostRaces,
    seconds,
    commitsPerSecond: commits / seconds,
    conflictRate: lostRaces / (commits + lostRaces),
    requests,
    maxRssMiB: Math.max(...ran.map((r) => r.maxRssMiB)),
  };
}

import { open, type Database } from '../../src/db/index.js';
import { sqliteRuntime } from '../../src/db/sqlite-runtime.js';
import { PageCache } from '../../src/volume/index.js';
import { CALM } from './sim-store.js';
import { PREFIX, World } from './world.js';

/** What a fairness run reports besides the usual: commits per writer, in writer order. */
export interface FairnessResult {
  seed: number;
  commits: number[];
  violations: string[];
}

/**
 * Writers competing for the whole run: each runs one-row `transaction()`s back to back for
 * `durationMs` of simulated time on a calm network, and counts its commits. Fair progress
 * means no writer is starved while the others commit.
 */
export async function runFairnessSeed(
  seed: number,
  writers: number,
  durationMs: number,
): Promise<FairnessResult> {
  await sqliteRuntime();
  const world = new World(seed, CALM, { requestTimeoutMs: 2000, maxAttempts: 3 }, false);
  const connect = (name: string): Promise<Database> =>
    open(
      { store: world.connection(name), prefix: PREFIX },
      {
        cache: new PageCache(4 << 20),
        maxRetries: 1_000,
        clock: world.scheduler,
        random: world.random,
      },
    );
  await world.drive(
    connect('setup').then(async (db) => {
      await db.exec('CREATE TABLE t(writer INTEGER, n INTEGER)');
      await db.close();
    }),
  );
  const commits = Array.from({ length: writers }, () => 0);
  const writer = async (index: number): Promise<void> => {
    const db = await connect(`w${index}`);
    let done = 0;
    while (world.scheduler.monotonic() < durationMs && !world.failed) {
      await db.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', [index, done]));
      done += 1;
    }
    commits[index] = done;
    await db.close();
  };
  const actors = Array.from({ length: writers }, (_, i): [string, () => Promise<void>] => [
    `writer ${i}`,
    () => writer(i),
  ]);
  const noCheck = async (): Promise<void> => undefined;
  const report = await world.run(actors, noCheck, noCheck);
  return { seed, commits, violations: report.violations };
}

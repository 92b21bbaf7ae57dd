import { open, type Database } from '../../src/db/index.js';
import { sqliteRuntime } from '../../src/db/sqlite-runtime.js';
import { PageCache } from '../../src/volume/index.js';
import { CALM } from './sim-store.js';
import { PREFIX, World } from './world.js';

/** What a fairness run reports besides the usual: how progress was shared among the writers. */
export interface FairnessResult {
  seed: number;
  /** Commits per writer, in writer order. */
  commits: number[];
  /** The most commit races each writer lost between two of its commits (or before its first). */
  longestStreaks: number[];
  violations: string[];
}

/** Writers in a fairness run, and simulated time they compete for. */
export const FAIRNESS_WRITERS = 4;
export const FAIRNESS_MS = 20_000;

/**
 * Writers competing for the whole run: each runs one-row `transaction()`s back to back for
 * `durationMs` of simulated time on a calm network (1-20 ms per request), on a connection of
 * its own, and counts its commits and the races it lost in a row. Fair progress means that
 * every writer commits and none loses an unbounded number of races in a row.
 *
 * All writers share this process's wa-sqlite module (its lock orders their SQLite calls), as
 * connections of one process do; their store requests still overlap, as separate processes'
 * would.
 */
export async function runFairnessSeed(
  seed: number,
  writers = FAIRNESS_WRITERS,
  durationMs = FAIRNESS_MS,
): Promise<FairnessResult> {
  await sqliteRuntime();
  const world = new World(seed, CALM, { requestTimeoutMs: 2000, maxAttempts: 3 }, false);
  const connect = (name: string): Promise<Database> =>
    open(
      { store: world.connection(name), prefix: PREFIX },
      {
        layout: 's3lite',
        cache: new PageCache(4 << 20),
        // Give-up is not what this measures: a starved writer keeps trying.
        maxRetries: 100_000,
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
  const longestStreaks = Array.from({ length: writers }, () => 0);
  const writer = async (index: number): Promise<void> => {
    const db = await connect(`w${index}`);
    let done = 0;
    let longest = 0;
    while (world.scheduler.monotonic() < durationMs && !world.failed) {
      const lostBefore = db.stats().volume.conflicts;
      await db.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', [index, done]));
      done += 1;
      longest = Math.max(longest, db.stats().volume.conflicts - lostBefore);
    }
    commits[index] = done;
    longestStreaks[index] = longest;
    await db.close();
  };
  const actors = Array.from({ length: writers }, (_, i): [string, () => Promise<void>] => [
    `writer ${i}`,
    () => writer(i),
  ]);
  const noCheck = async (): Promise<void> => undefined;
  const report = await world.run(actors, noCheck, noCheck);
  return { seed, commits, longestStreaks, violations: report.violations };
}

import { describe, expect, it } from 'vitest';
import { replayCommand, runAny } from './replay.js';

/** Seeds `npm test` runs: a bounded amount of simulated work, no wall clock involved. */
const VOLUME_SEEDS = 300;
const DB_SEEDS = 4;
const CHUNK = 25;

/** Run seeds and describe each failure with the command that replays it. */
async function failures(seeds: number[], db: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const seed of seeds) {
    const result = await runAny(seed, db, false);
    const first = result.violations[0];
    if (first) out.push(`seed ${seed}: ${first}\n  replay: ${replayCommand(seed, db)}`);
  }
  return out;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('deterministic simulation of the volume layer', () => {
  const chunks = range(0, VOLUME_SEEDS / CHUNK).map((i) => range(1 + i * CHUNK, CHUNK));
  it.each(chunks.map((seeds) => [seeds[0], seeds.at(-1), seeds] as const))(
    'seeds %i to %i keep every invariant',
    async (_from, _to, seeds) => {
      expect(await failures(seeds, false)).toEqual([]);
    },
  );

  it('replays a seed exactly: the same seed gives the same trace', async () => {
    for (const seed of [3, 12, 32]) {
      const first = await runAny(seed, false, false);
      const again = await runAny(seed, false, false);
      expect(again.traceHash).toBe(first.traceHash);
      expect(again.steps).toBe(first.steps);
      expect(again.violations).toEqual(first.violations);
    }
    const other = await runAny(4, false, false);
    expect(other.traceHash).not.toBe((await runAny(3, false, false)).traceHash);
  });
});

describe('deterministic simulation through the SQL API', () => {
  it.each(range(1, DB_SEEDS))(
    'seed %i ends with integrity_check ok and one row per acknowledged transaction',
    async (seed) => {
      expect(await failures([seed], true)).toEqual([]);
    },
  );

  it('replays a seed exactly', async () => {
    const first = await runAny(2, true, false);
    expect((await runAny(2, true, false)).traceHash).toBe(first.traceHash);
  });
});

import { describe, expect, it } from 'vitest';
import { runFairnessSeed } from './fairness-sim.js';

const SEEDS = [1, 2, 3, 4, 5, 6];
const WRITERS = 5;
const SIMULATED_MS = 10_000;

describe('competing writers in simulated time', () => {
  it('starve no one: every writer commits at least a third of the mean', async () => {
    const starved: string[] = [];
    for (const seed of SEEDS) {
      const { commits, violations } = await runFairnessSeed(seed, WRITERS, SIMULATED_MS);
      expect(violations).toEqual([]);
      const mean = commits.reduce((sum, n) => sum + n, 0) / commits.length;
      if (Math.min(...commits) < mean / 3) starved.push(`seed ${seed}: ${commits.join(' ')}`);
    }
    expect(starved).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { FAIRNESS_MS, FAIRNESS_WRITERS, runFairnessSeed } from './fairness-sim.js';

const SEEDS = [1, 2, 3, 4, 5, 6];
/**
 * Most commit races a writer may lose in a row. Without turns the writer that just committed
 * won again and again: one writer per seed lost 24-25 races in a row and committed once.
 */
const MAX_LOSING_STREAK = 10;

describe(`${FAIRNESS_WRITERS} writers competing for ${FAIRNESS_MS / 1000} s of simulated time`, () => {
  it.each(SEEDS)(
    'seed %i: every writer commits, none loses more than a few races in a row',
    async (seed) => {
      const { commits, longestStreaks, violations } = await runFairnessSeed(seed);
      expect(violations).toEqual([]);
      const spread = `commits per writer ${commits.join(' ')}, longest losing streaks ${longestStreaks.join(' ')}`;
      expect(Math.min(...commits), spread).toBeGreaterThan(0);
      expect(Math.max(...longestStreaks), spread).toBeLessThanOrEqual(MAX_LOSING_STREAK);
    },
  );
});

import type { Random } from './clock.js';

/** The shape of an exponential back-off. */
export interface Backoff {
  /** Ceiling of the first wait, in ms; it doubles at each retry. */
  baseMs: number;
  /** Highest ceiling, in ms, however many retries. */
  maxMs: number;
  /**
   * Share of the ceiling that is always waited (0: "full jitter", any wait up to the ceiling;
   * 0.5: between half the ceiling and all of it).
   */
  floor: number;
}

/**
 * The wait before retry number `retry` (0-based): a random point between `floor` × ceiling and
 * the ceiling, which is `baseMs` × 2^retry capped at `maxMs`. The randomness spreads out
 * clients that failed together, so they do not retry in lock-step.
 *
 * Shared by the store's request retries and the db layer's re-runs after a lost commit race:
 * it lives beside clock.ts, below every layer, since neither layer owns back-off.
 */
export function backoffDelay(shape: Backoff, retry: number, random: Random): number {
  const ceiling = Math.min(shape.maxMs, shape.baseMs * 2 ** retry);
  return ceiling * (shape.floor + random.random() * (1 - shape.floor));
}

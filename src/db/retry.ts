import { realClock, realRandom, type Clock, type Random } from '../clock.js';
import { InvalidArgumentError } from '../errors.js';

/** How a lost commit race is retried. */
export interface RetryPolicy {
  /** Re-runs after the first attempt before giving up with `CONFLICT`. */
  maxRetries: number;
  /** Base of the exponential back-off, in milliseconds. */
  baseDelayMs: number;
  /** What the back-off waits on. */
  clock: Clock;
  /** Where the back-off's jitter comes from. */
  random: Random;
}

export const DEFAULT_MAX_RETRIES = 32;
export const DEFAULT_RETRY_DELAY_MS = 10;

/** Check user-given retry settings and fill in the defaults. */
export function retryPolicy(
  maxRetries = DEFAULT_MAX_RETRIES,
  baseDelayMs = DEFAULT_RETRY_DELAY_MS,
  clock: Clock = realClock,
  random: Random = realRandom,
): RetryPolicy {
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidArgumentError(`maxRetries must be a whole number ≥ 0, not ${maxRetries}`);
  }
  if (!(baseDelayMs >= 0) || !Number.isFinite(baseDelayMs)) {
    throw new InvalidArgumentError(`retryDelayMs must be a finite number ≥ 0, not ${baseDelayMs}`);
  }
  return { maxRetries, baseDelayMs, clock, random };
}

/**
 * Wait before re-run number `retry` (0-based). The fairness rule: the wait SHRINKS as the
 * races lost in a row grow (`baseDelayMs / (1 + retry)`), so the writer that has waited
 * longest comes back first. A winner starts its next transaction at once on the newest
 * snapshot while losers wait and then catch up; with a back-off that grows, a busy writer
 * won nearly every race (8 writers: some committed once in 20 s while one committed 16
 * times). A lost race costs a few requests, so coming back soon is cheap. The jitter (half
 * to all of the ceiling) keeps losers of the same race from all coming back at one instant.
 */
export function backOff(policy: RetryPolicy, retry: number): Promise<void> {
  const ceiling = policy.baseDelayMs / (1 + retry);
  const delay = ceiling * (0.5 + policy.random.random() / 2);
  return policy.clock.sleep(delay);
}

import { realClock, realRandom, type Clock, type Random } from '../clock.js';
import { InvalidArgumentError, type ConflictError } from '../errors.js';

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
/**
 * No single back-off is longer than this, however many races were lost. Kept short because
 * a winner commits again at once (its snapshot is the newest) while losers wait: long waits
 * let one busy writer starve the others (with 4 writers and a 2 s cap, some lost 9 races in
 * a row). A commit race costs a few requests, so retrying soon is cheap.
 */
const MAX_DELAY_MS = 250;

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
 * Wait before re-run number `retry` (0-based): exponential in `retry`, with full jitter so
 * that writers who lost to the same winner do not all come back at the same instant.
 */
export function backOff(policy: RetryPolicy, retry: number): Promise<void> {
  const ceiling = Math.min(MAX_DELAY_MS, policy.baseDelayMs * 2 ** retry);
  const delay = ceiling * (0.5 + policy.random.random() / 2);
  return policy.clock.sleep(delay);
}

/**
 * Wait before re-run number `retry` (0-based) of work that lost a race with `error`: as long as
 * the volume asked when a writer's turn decides it (see src/volume/turn.ts) — none when this
 * writer has just taken one, the rest of another writer's turn, jittered by up to a quarter so
 * that the writers who waited do not all come back at once — else the usual back-off.
 */
export function pauseBeforeRetry(
  policy: RetryPolicy,
  retry: number,
  error: ConflictError,
): Promise<void> {
  if (error.retryAfterMs === undefined) return backOff(policy, retry);
  if (error.retryAfterMs === 0) return Promise.resolve();
  return policy.clock.sleep(error.retryAfterMs * (1 + policy.random.random() / 4));
}

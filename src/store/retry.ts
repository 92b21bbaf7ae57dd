import type { Random } from '../clock.js';

/** How failed requests are repeated. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5; 1 disables retries). */
  maxAttempts?: number;
  /** Back-off before the first retry, in ms (default 50). */
  baseDelayMs?: number;
  /** Longest back-off, in ms (default 2000). */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 5,
  baseDelayMs: 50,
  maxDelayMs: 2000,
};

/**
 * "Full jitter" exponential back-off: a uniformly random wait up to base × 2^attempt, capped.
 * Randomness spreads out clients that failed together so they do not retry in lock-step.
 */
export function backoffDelay(
  retry: Required<RetryOptions>,
  attempt: number,
  random: Random,
): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return random.random() * ceiling;
}

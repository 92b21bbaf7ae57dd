import { AbortedError } from '../errors.js';

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
export function backoffDelay(retry: Required<RetryOptions>, attempt: number): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return Math.random() * ceiling;
}

/** Wait `ms`, or reject with `AbortedError` as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('operation aborted', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('operation aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

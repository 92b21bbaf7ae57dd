/** How failed requests are repeated. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5; 1 disables retries). */
  maxAttempts?: number;
  /** Back-off before the first retry, in ms (default 50): "full jitter", any wait up to it. */
  baseDelayMs?: number;
  /** Longest back-off, in ms (default 2000). */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 5,
  baseDelayMs: 50,
  maxDelayMs: 2000,
};

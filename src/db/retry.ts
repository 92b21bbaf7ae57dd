import { realClock, realRandom, type Clock, type Random } from '../clock.js';
import { backoffDelay } from '../backoff.js';
import { ConflictError, InvalidArgumentError } from '../errors.js';

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
 * Wait before re-run number `retry` (0-based) of work that lost a race with `error`: as long as
 * the volume asked when a writer's turn decides it (see src/volume/turn.ts) — none when this
 * writer has just taken one, the rest of another writer's turn, jittered by up to a quarter so
 * that the writers who waited do not all come back at once — else an exponential back-off,
 * jittered between half its ceiling and all of it so that writers who lost to the same winner
 * do not all come back at the same instant.
 */
function pauseBeforeRetry(policy: RetryPolicy, retry: number, error: ConflictError): Promise<void> {
  const { clock, random } = policy;
  if (error.retryAfterMs === 0) return Promise.resolve();
  if (error.retryAfterMs !== undefined) {
    return clock.sleep(error.retryAfterMs * (1 + random.random() / 4));
  }
  const shape = { baseMs: policy.baseDelayMs, maxMs: MAX_DELAY_MS, floor: 0.5 };
  return clock.sleep(backoffDelay(shape, retry, random));
}

/**
 * Run `attempt` until it does not lose a commit race, pausing between runs (see
 * pauseBeforeRetry): the one retry loop of `transaction()` and of statements run outside one.
 * After a lost race `mayRetry` cleans up and says whether the work may run again (when not, the
 * conflict is thrown); after `policy.maxRetries` re-runs, a `ConflictError` naming `database`
 * says the writer gave up. Other errors are thrown as they are.
 */
export async function retryLostRaces<T>(
  policy: RetryPolicy,
  database: string,
  attempt: () => Promise<T>,
  mayRetry: (error: ConflictError) => Promise<boolean>,
): Promise<T> {
  for (let retries = 0; ; retries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || !(await mayRetry(error))) throw error;
      if (retries >= policy.maxRetries) {
        throw new ConflictError(
          `${database}: lost ${retries + 1} commit races in a row to other writers; giving up`,
          { cause: error },
        );
      }
      await pauseBeforeRetry(policy, retries, error);
    }
  }
}

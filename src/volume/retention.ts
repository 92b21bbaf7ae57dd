import { InvalidArgumentError } from '../errors.js';
import { parseDuration } from './duration.js';

/**
 * What garbage collection keeps. A commit is kept when any rule given keeps it; with no rule
 * given, the defaults apply (every commit of the last 24 hours). The head is always kept.
 */
export interface RetentionOptions {
  /** Keep the newest `keepLast` commits (at least 1). */
  keepLast?: number;
  /** Keep every commit made within this span: milliseconds, or text such as `24h` or `7d`. */
  keepFor?: number | string;
  /**
   * Leave alone whatever became garbage less than this long ago (default `1h`): page objects
   * no commit names (a live writer's uploads look like that until its commit), and commits
   * replaced so recently that a connection may still be reading them. Shorter is safe only
   * while no write transaction of another process takes that long (see docs/history.md).
   */
  grace?: number | string;
}

/** Whether `options` names a retention rule of its own (else a volume's defaults apply). */
export function hasRetentionRule(options: RetentionOptions): boolean {
  return options.keepLast !== undefined || options.keepFor !== undefined;
}

/** Retention when no rule is given: every commit of the last 24 hours. */
export const DEFAULT_KEEP_FOR_MS = 24 * 3_600_000;
/** Default grace period: one hour. */
export const DEFAULT_GRACE_MS = 3_600_000;

/**
 * GC never removes a commit record stored less than this long ago, whatever `grace` says.
 * Writers rely on it: a connection that saw the head less than `HEAD_TRUST_MS` (2 s) ago skips
 * the checks that the next commit number is still free, because a record made since cannot
 * have been collected yet. The margin between the two absorbs clock differences between a
 * collecting host and the store's dates (docs/history.md).
 */
export const MIN_RECORD_AGE_MS = 60_000;

/** Retention rules checked and in milliseconds. */
export interface RetentionPolicy {
  keepLast: number | undefined;
  keepForMs: number | undefined;
  graceMs: number;
}

/** Check `options` and fill in the defaults. */
export function retentionPolicy(options: RetentionOptions = {}): RetentionPolicy {
  const { keepLast, keepFor, grace } = options;
  if (keepLast !== undefined && !(Number.isSafeInteger(keepLast) && keepLast >= 1)) {
    throw new InvalidArgumentError(`keepLast must be a whole number ≥ 1, not ${keepLast}`);
  }
  const keepForMs = keepFor === undefined ? undefined : parseDuration(keepFor, 'keepFor');
  return {
    keepLast,
    keepForMs: keepLast === undefined && keepForMs === undefined ? DEFAULT_KEEP_FOR_MS : keepForMs,
    graceMs: grace === undefined ? DEFAULT_GRACE_MS : parseDuration(grace, 'grace'),
  };
}

/**
 * The oldest commit to keep, given the head and when each listed commit record was stored
 * (`stored`: sequence number → epoch ms, by the store's clock). Commits stored within the grace
 * period are always kept, whatever the rules say: a connection that last saw the head moments
 * ago must still find the records after it (docs/history.md). 0 when there is no commit.
 */
export function oldestRetained(
  head: number,
  stored: ReadonlyMap<number, number>,
  now: number,
  policy: RetentionPolicy,
): number {
  if (head === 0) return 0;
  // The oldest commit stored at or after `since`; commits not listed are newer than the listing.
  let listedUpTo = 0;
  for (const seq of stored.keys()) listedUpTo = Math.max(listedUpTo, seq);
  const firstSince = (since: number): number => {
    let first = Math.min(head, listedUpTo + 1);
    for (const [seq, time] of stored) if (time >= since && seq < first) first = seq;
    return first;
  };
  const floors: number[] = [];
  if (policy.keepLast !== undefined) floors.push(head - policy.keepLast + 1);
  if (policy.keepForMs !== undefined) floors.push(firstSince(now - policy.keepForMs));
  const kept = Math.min(...floors);
  const young = firstSince(now - Math.max(policy.graceMs, MIN_RECORD_AGE_MS));
  return Math.max(1, Math.min(kept, young, head));
}

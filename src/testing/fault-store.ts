import { StoreError, UnreachableError } from '../errors.js';
import type { Attempt, BaseStoreOptions } from '../store/base-store.js';
import { DEFAULT_RETRY } from '../store/retry.js';
import type { ObjectStore, StoreOperation } from '../store/types.js';
import { DelegatingStore } from '../store/delegating-store.js';
import { seededRandom } from './seeded-random.js';

/**
 * - `error`: the request fails with a retryable 503 before reaching the store.
 * - `timeout`: the request hangs until its attempt times out (or is aborted).
 * - `lost-response`: the request reaches the store and succeeds, then the response is lost
 *   (a connection reset), so the caller cannot know it succeeded.
 */
export type FaultKind = 'error' | 'timeout' | 'lost-response';

/** When to inject a fault. */
export interface FaultRule {
  kind: FaultKind;
  /** Only these operations (default: all). */
  operations?: readonly StoreOperation[];
  /** Only keys (for `list`, prefixes) matching this pattern (default: all). */
  keys?: RegExp;
  /** Chance that a matching request is hit (default 1). */
  probability?: number;
  /** Stop after this many hits (default: unlimited). */
  times?: number;
}

export interface FaultOptions extends BaseStoreOptions {
  rules?: FaultRule[];
  /** Seed of the random choices, so a failing run can be repeated (default 1). */
  seed?: number;
}

/**
 * Injects failures into requests to another store: the test harness for retries, crash
 * safety and the commit protocol's handling of lost responses. Unlike other wrappers it
 * retries by default (with the usual back-off), since its faults happen above the inner
 * store's own retries.
 */
export class FaultInjectingStore extends DelegatingStore {
  /** Faults injected so far, by kind. */
  readonly injected: Record<FaultKind, number> = { error: 0, timeout: 0, 'lost-response': 0 };
  private rules: Array<FaultRule & { hits: number }>;
  private readonly dice: () => number;

  constructor(inner: ObjectStore, options: FaultOptions = {}) {
    super(inner, { retry: DEFAULT_RETRY, ...options });
    this.rules = (options.rules ?? []).map((rule) => ({ ...rule, hits: 0 }));
    this.dice = seededRandom(options.seed ?? 1);
  }

  /** Add a rule; by default it hits the next matching request once. */
  inject(rule: FaultRule): void {
    this.rules.push({ times: 1, ...rule, hits: 0 });
  }

  /** Remove every rule: requests pass untouched from now on. */
  clear(): void {
    this.rules = [];
  }

  protected override async around<T>(
    operation: StoreOperation,
    key: string | undefined,
    attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    const fault = this.pick(operation, key);
    if (fault === undefined) return forward();
    this.injected[fault] += 1;
    const target = `${operation} ${key ?? ''} on ${this.location}`;
    switch (fault) {
      case 'error':
        throw new StoreError(`injected fault: 503 SlowDown for ${target}`, 503, {
          retryable: true,
        });
      case 'timeout': {
        // A request's timeout timer does not keep Node running; a hung request would let a
        // process with nothing else to do exit mid-request, so hold it open until the abort.
        const keepAlive = setInterval(() => undefined, 60_000);
        await new Promise<void>((resolve) =>
          attempt.signal.addEventListener('abort', () => resolve(), { once: true }),
        ).finally(() => clearInterval(keepAlive));
        throw new StoreError(`injected fault: ${target} hung`, undefined, { retryable: true });
      }
      case 'lost-response':
        await forward();
        throw new UnreachableError(`injected fault: response to ${target} lost (ECONNRESET)`);
    }
  }

  private pick(operation: StoreOperation, key: string | undefined): FaultKind | undefined {
    for (const rule of this.rules) {
      if (rule.times !== undefined && rule.hits >= rule.times) continue;
      if (rule.operations && !rule.operations.includes(operation)) continue;
      if (rule.keys && (key === undefined || !rule.keys.test(key))) continue;
      if (this.dice() >= (rule.probability ?? 1)) continue;
      rule.hits += 1;
      return rule.kind;
    }
    return undefined;
  }
}

import { toHex } from './bytes.js';
import { AbortedError } from './errors.js';

/**
 * Where s3lite gets the time. Every layer takes one as an option (default {@link realClock}),
 * so that a test can run stores, volumes, garbage collection and retries in simulated time:
 * no wall-clock waits, and the same seed gives the same interleaving.
 */
export interface Clock {
  /** Calendar time in whole epoch ms: commit record times, ages compared with the store's dates. */
  now(): number;
  /** Milliseconds from an arbitrary origin that never go backwards: durations and deadlines. */
  monotonic(): number;
  /** Resolve after `ms`; reject with `AbortedError` as soon as `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Call `fire` after `ms` unless the returned function is called first. A bare timer for what
   * runs on every request (a store attempt's time limit): a cancelled {@link sleep} costs a
   * promise, an abort controller and an error with its stack, several times the request itself
   * on an in-memory store.
   */
  after(ms: number, fire: () => void): () => void;
}

/**
 * Where s3lite gets randomness (default {@link realRandom}): back-off jitter, transaction ids
 * and scratch keys. A seeded one makes a simulation replay exactly.
 */
export interface Random {
  /** A number in [0, 1), uniformly distributed. */
  random(): number;
  /** `length` random bytes; unpredictable in the default, as ids must not collide. */
  bytes(length: number): Uint8Array;
}

/** The process's clocks: `Date.now()`, `performance.now()` and timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: realSleep,
  after: (ms, fire) => {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};

/** `Math.random()` for jitter, the operating system's generator for ids. */
export const realRandom: Random = {
  random: () => Math.random(),
  bytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
};

/** `length` random bytes as lower-case hex, for ids and scratch keys. */
export function randomHex(random: Random, length: number): string {
  return toHex(random.bytes(length));
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
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

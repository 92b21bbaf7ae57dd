import { AbortedError } from '../../src/errors.js';
import type { Clock, Random } from '../../src/clock.js';
import { seededRandom } from '../../src/testing/index.js';

/** Simulated calendar time starts here (2026-01-01), so record times look like real ones. */
const EPOCH_MS = Date.UTC(2026, 0, 1);

interface Timer {
  at: number;
  /** Order of scheduling: timers due at the same instant fire in the order they were set. */
  order: number;
  fire: () => void;
  cancelled: boolean;
}

/**
 * The simulation's event loop: simulated time advances only from one timer to the next, and
 * every piece of the system under test waits on these timers instead of real ones. Between
 * two timers the process's microtasks are drained, so each step runs to quiescence and the
 * same seed always gives the same sequence of steps.
 */
export class Scheduler implements Clock {
  private timeMs = 0;
  private nextOrder = 0;
  private readonly timers: Timer[] = [];
  /** Steps taken so far (timers fired). */
  steps = 0;

  now(): number {
    // Calendar time is whole milliseconds, as Date.now() gives and commit records store.
    return EPOCH_MS + Math.floor(this.timeMs);
  }

  monotonic(): number {
    return this.timeMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortedError('operation aborted', { cause: signal.reason }));
        return;
      }
      const onAbort = () => {
        timer.cancelled = true;
        reject(new AbortedError('operation aborted', { cause: signal?.reason }));
      };
      const timer = this.at(Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  after(ms: number, fire: () => void): () => void {
    const timer = this.at(Math.max(0, ms), fire);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Run `fire` `ms` from now. */
  at(ms: number, fire: () => void): Timer {
    const timer = { at: this.timeMs + ms, order: this.nextOrder++, fire, cancelled: false };
    // Timers are few (one per request in flight or sleeping actor): a sorted insert is enough.
    let i = this.timers.length;
    while (i > 0 && later(this.timers[i - 1] as Timer, timer)) i--;
    this.timers.splice(i, 0, timer);
    return timer;
  }

  /**
   * Fire timers one at a time until `done()` (checked after each step, with `afterStep` run
   * first) or until `deadlineMs` of simulated time. Throws when nothing is scheduled and the
   * work is not done: something waited on a real timer or real I/O, which a simulation must
   * not do.
   */
  async run(done: () => boolean, afterStep: () => Promise<void>, deadlineMs: number) {
    await settle();
    await afterStep();
    while (!done()) {
      const timer = this.timers.shift();
      if (!timer) throw new Error('simulation stalled: work pending but no timer scheduled');
      if (timer.cancelled) continue;
      if (timer.at > deadlineMs) throw new Error(`simulation ran past ${deadlineMs} ms`);
      this.timeMs = timer.at;
      this.steps += 1;
      timer.fire();
      await settle();
      await afterStep();
    }
  }

  /** Fire timers until `work` settles (set-up and final checks may wait on simulated time too). */
  async drive<T>(work: Promise<T>, deadlineMs: number): Promise<T> {
    let settled = false;
    const watched = work.finally(() => (settled = true));
    await this.run(
      () => settled,
      async () => undefined,
      deadlineMs,
    );
    return watched;
  }
}

function later(a: Timer, b: Timer): boolean {
  return a.at > b.at || (a.at === b.at && a.order > b.order);
}

/** Let every microtask chain started so far run to its next wait on a timer. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A seeded source of randomness for the library (jitter, ids) and for the simulation itself. */
export class SeededRandom implements Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  random(): number {
    return this.next();
  }

  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => Math.floor(this.next() * 256));
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

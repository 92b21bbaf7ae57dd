import { realClock, type Clock } from '../../src/clock.js';
import { MIN_RECORD_AGE_MS } from '../../src/volume/retention.js';

/** How far {@link later} runs ahead of the real clock. */
export const LATER_MS = 2 * MIN_RECORD_AGE_MS;

/**
 * A collector's clock, running ahead of the real one: for it every commit record a test made
 * is old enough to collect (GC never takes records younger than `MIN_RECORD_AGE_MS`), as if
 * the collection ran two minutes later.
 */
export const later: Clock = { ...realClock, now: () => realClock.now() + LATER_MS };

/** A monotonic clock that can be moved forward by hand: a connection that went idle. */
export function steppedClock(): Clock & { step(ms: number): void } {
  let offset = 0;
  return {
    ...realClock,
    monotonic: () => realClock.monotonic() + offset,
    step: (ms) => {
      offset += ms;
    },
  };
}

/**
 * A monotonic clock that stands still: the head a connection has seen stays trusted
 * (`HEAD_TRUST_MS`) however long a loaded machine takes between two steps of a test, so
 * request counts that include head probes do not depend on the machine's speed.
 */
export const standing: Clock = { ...realClock, monotonic: () => 0 };

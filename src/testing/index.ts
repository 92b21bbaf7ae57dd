/**
 * s3lite/testing: stores that misbehave on purpose, for tests of code that uses s3lite (and for
 * s3lite's own). Each wraps any `ObjectStore` — usually a `MemoryStore` or a `FileStore` — and
 * is passed to `open({ store, prefix })` like any store.
 *
 * @packageDocumentation
 */
export {
  FaultInjectingStore,
  type FaultKind,
  type FaultRule,
  type FaultOptions,
} from './fault-store.js';
export { LatencyStore, type LatencyOptions } from './latency-store.js';
export { IgnoreConditionalWritesStore } from './ignore-conditional-store.js';
export { seededRandom } from './seeded-random.js';

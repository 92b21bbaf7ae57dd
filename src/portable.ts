/**
 * What both entry points export (index.ts for Node, Bun and Deno; web.ts for browsers and
 * Workers): everything that runs on standard JavaScript alone, except the store choices.
 */
export * from './errors.js';
export { realClock, realRandom, type Clock, type Random } from './clock.js';
export * from './db/api.js';
export {
  Volume,
  PageCache,
  type CommitInfo,
  type VolumeOptions,
  type VolumeStats,
} from './volume/index.js';
export type { Layout } from './layouts/index.js';
export * from './meta-store/index.js';

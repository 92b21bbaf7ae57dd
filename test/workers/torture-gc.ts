/**
 * The collector of the torture suite: garbage collection every second or so, keeping the
 * last 10 commits (and everything within the grace period), while the others write and read.
 */
import { collectGarbage } from '../../src/volume/index.js';
import { countFailure, setUp, sleep, tell } from './torture-common.js';
import { seededRandom } from '../../src/testing/index.js';

const { settings, store, stats, report } = setUp();
const next = seededRandom(settings.seed);
for (;;) {
  await sleep(500 + next() * 1000);
  try {
    const result = await collectGarbage(store, settings.location.prefix, {
      keepLast: 10,
      grace: settings.graceMs,
      checkpointInterval: 8,
    });
    const { commits, checkpoints, pages } = result.removed;
    stats.acked += 1;
    tell({ type: 'gc', removed: commits + checkpoints + pages, bytesFreed: result.bytesFreed });
  } catch (error) {
    countFailure(error, stats);
  }
  report();
}

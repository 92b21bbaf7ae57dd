/**
 * Torture workload 2, the append-only log: transactions of one to four inserts of rows with
 * random bodies. Every acknowledged row must be there at the end. With `autoGc`, the
 * connection also collects garbage by itself every 25 commits.
 */
import { countFailure, setUp, tell } from './torture-common.js';
import { seededRandom } from '../../src/testing/index.js';

const { settings, stats, connect, report } = setUp();
const autoGc = (settings as { autoGc?: boolean }).autoGc === true;
const options = autoGc ? { gcEvery: 25, retention: { keepLast: 20, grace: settings.graceMs } } : {};
const next = seededRandom(settings.seed);
let db = await connect(options);
for (let n = 0; ;) {
  const ids = Array.from({ length: 1 + Math.floor(next() * 4) }, () => `${settings.id}-${n++}`);
  const bytes = 100 + Math.floor(next() * 1900);
  try {
    await db.transaction(async (tx) => {
      stats.bodyRuns += 1;
      for (const [i, id] of ids.entries()) {
        await tx.run('INSERT INTO log(id, writer, n, body) VALUES (?, ?, ?, randomblob(?))', [
          id,
          settings.id,
          i,
          bytes,
        ]);
      }
    });
    stats.acked += 1;
    tell({ type: 'ack-log', ids });
  } catch (error) {
    if (countFailure(error, stats) === 'unknown') {
      report(db);
      await db.close().catch(() => undefined);
      db = await connect(options);
    }
  }
  report(db);
}

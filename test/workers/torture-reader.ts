/**
 * The reader of the torture suite: checks the bank's total at the head, in read transactions
 * held open for a while as others commit, and at random past commits (time travel). Any
 * other total is a violation; a past commit already collected is fine (`SNAPSHOT_EXPIRED`).
 */
import { open, type Database } from '../../src/db/index.js';
import { PageCache } from '../../src/volume/index.js';
import { countFailure, setUp, sleep, tell } from './torture-common.js';
import { seededRandom } from '../../src/testing/index.js';

const { settings, store, stats, connect, report } = setUp();
const total = settings.accounts * settings.initialBalance;
const next = seededRandom(settings.seed);

/** The bank's total in `db`'s snapshot; a violation unless it is `total`. */
async function checkTotal(db: Database, where: string): Promise<void> {
  const row = await db.queryOne<{ total: number; n: number }>(
    'SELECT sum(balance) AS total, count(*) AS n FROM accounts',
  );
  if (row?.total !== total || row.n !== settings.accounts) {
    tell({
      type: 'violation',
      message: `${where}: accounts ${JSON.stringify(row)}, total ${total}`,
    });
    process.exit(1);
  }
}

let db = await connect({ readOnly: true });
for (let round = 0; ; round++) {
  try {
    if (round % 3 === 1) {
      // A read transaction that stays on its commit while the writers go on.
      await db.exec('BEGIN');
      await checkTotal(db, `commit ${db.stats().snapshot.seq}`);
      await sleep(200 + next() * 1500);
      await checkTotal(db, `commit ${db.stats().snapshot.seq}, later`);
      await db.exec('COMMIT');
    } else {
      await checkTotal(db, `head ${db.stats().snapshot.seq}`);
    }
    tell({ type: 'check', past: false });
    if (round % 2 === 0) {
      const head = db.stats().snapshot.seq;
      const at = Math.max(1, head - Math.floor(next() * 60));
      const past = await open(
        { store, prefix: settings.location.prefix },
        { at, cache: new PageCache(8 * 1024 * 1024) },
      );
      try {
        if (past.stats().snapshot.pageCount > 0) await checkTotal(past, `past commit ${at}`);
      } finally {
        await past.close();
      }
      tell({ type: 'check', past: true });
    }
  } catch (error) {
    countFailure(error, stats);
    // The transaction may still be open after a failed read: start afresh.
    await db.close().catch(() => undefined);
    db = await connect({ readOnly: true });
  }
  stats.acked += 1;
  report(db);
  await sleep(50);
}

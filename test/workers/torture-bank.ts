/**
 * Torture workload 1, the bank: transfers between random accounts, each one transaction that
 * debits one account, credits another and records the transfer. The total never changes, and
 * every acknowledged transfer must be in the transfers table at the end.
 */
import { countFailure, setUp, tell } from './torture-common.js';
import { seededRandom } from '../../src/testing/index.js';

const { settings, stats, connect, report } = setUp();
const next = seededRandom(settings.seed);
const pick = () => 1 + Math.floor(next() * settings.accounts);
let db = await connect();
for (let n = 0; ; n++) {
  const src = pick();
  let dst = pick();
  if (dst === src) dst = (src % settings.accounts) + 1;
  const transfer = { id: `${settings.id}-${n}`, src, dst, amount: 1 + Math.floor(next() * 50) };
  try {
    await db.transaction(async (tx) => {
      stats.bodyRuns += 1;
      await tx.run('UPDATE accounts SET balance = balance - ? WHERE id = ?', [
        transfer.amount,
        src,
      ]);
      await tx.run('UPDATE accounts SET balance = balance + ? WHERE id = ?', [
        transfer.amount,
        dst,
      ]);
      await tx.run('INSERT INTO transfers(id, src, dst, amount) VALUES (?, ?, ?, ?)', [
        transfer.id,
        src,
        dst,
        transfer.amount,
      ]);
    });
    stats.acked += 1;
    tell({ type: 'ack-transfer', ...transfer });
  } catch (error) {
    if (countFailure(error, stats) === 'unknown') {
      // Start over from the head: the failed commit may have happened after all.
      report(db);
      await db.close().catch(() => undefined);
      db = await connect();
    }
  }
  report(db);
}

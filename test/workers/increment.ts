/**
 * One of several racing writers: on "go", runs `transactions` increments of `counter.n`,
 * each through the retrying `transaction()` helper, and reports what that took: runs of the
 * transaction bodies, lost commit races (a race lost at BEGIN IMMEDIATE costs a retry but no
 * run of the body), the most races one transaction lost, the turns taken (commits that change
 * nothing, see src/volume/turn.ts) and the store requests made.
 */
import { open } from '../../src/db/index.js';
import { goSignal, input, send, storeAt, type WorkerInput } from './io.js';

const { location, transactions, maxRetries } = input<
  WorkerInput & { transactions: number; maxRetries?: number }
>();
const store = storeAt(location);
const db = await open({ store, prefix: location.prefix }, { maxRetries });
send({ ready: true });
await goSignal();
let bodyRuns = 0;
let mostLostRaces = 0;
for (let i = 0; i < transactions; i++) {
  const lostBefore = db.stats().volume.conflicts;
  await db.transaction(async (tx) => {
    bodyRuns += 1;
    await tx.run('UPDATE counter SET n = n + 1');
  });
  mostLostRaces = Math.max(mostLostRaces, db.stats().volume.conflicts - lostBefore);
}
const { volume, store: metrics } = db.stats();
send({
  bodyRuns,
  lostRaces: volume.conflicts,
  mostLostRaces,
  commits: volume.commits,
  turns: volume.turns,
  requests: metrics.requests,
});
await db.close();
await store.close();

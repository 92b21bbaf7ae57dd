/**
 * Commits `commits` transactions one after another, each setting column `x` of every row of
 * table `t` to the transaction's number: any one commit's state has a single value of `x`,
 * so an export that mixed two commits would show two. Reports when each commit is done.
 */
import { open } from '../../src/db/index.js';
import { input, send, storeAt, type WorkerInput } from './io.js';

const { location, commits } = input<WorkerInput & { commits: number }>();
const store = storeAt(location);
const db = await open({ store, prefix: location.prefix });
for (let n = 1; n <= commits; n++) {
  await db.run('UPDATE t SET x = ?', [n]);
  send({ commit: db.stats().snapshot.seq });
}
await db.close();
await store.close();

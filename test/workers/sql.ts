/**
 * Opens the database, runs `sql` (if any) as a script, then reports what it sees: page
 * size, the commit it is on, `PRAGMA integrity_check` and the state of table `t`.
 */
import { open } from '../../src/db/index.js';
import { input, send, storeAt, type WorkerInput } from './io.js';
import { integrity, tableState } from './state.js';

const { location, sql } = input<WorkerInput & { sql?: string }>();
const store = storeAt(location);
const db = await open({ store, prefix: location.prefix });
if (sql !== undefined) await db.exec(sql);
send({
  pageSize: db.stats().snapshot.pageSize,
  seq: db.stats().snapshot.seq,
  integrity: await integrity(db),
  state: await tableState(db),
});
await db.close();
await store.close();

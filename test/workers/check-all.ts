/**
 * Opens each database under `prefixes` in turn, reports its page size, integrity and the
 * state of table `t`, then VACUUMs it and checks integrity again: the matrix's "reopen in
 * a new process", with one process for the whole matrix rather than one per case.
 */
import { open } from '../../src/db/index.js';
import { input, send, storeAt, type WorkerInput } from './io.js';
import { integrity, tableState } from './state.js';

const { location, prefixes } = input<WorkerInput & { prefixes: string[] }>();
const store = storeAt(location);
for (const prefix of prefixes) {
  const db = await open({ store, prefix });
  const report = {
    prefix,
    pageSize: db.stats().snapshot.pageSize,
    integrity: await integrity(db),
    state: await tableState(db),
  };
  await db.exec('VACUUM');
  send({ ...report, integrityAfterVacuum: await integrity(db) });
  await db.close();
}
await store.close();

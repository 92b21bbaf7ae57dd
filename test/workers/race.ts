/**
 * One of two writers on the same snapshot: adds `delta` to `counter.n` inside an explicit
 * transaction (no retrying helper), reports the value it read, and commits only on "go", so
 * both processes reach COMMIT holding a write transaction on the same commit.
 */
import { open } from '../../src/db/index.js';
import { S3liteError } from '../../src/errors.js';
import { goSignal, input, send, storeAt, type WorkerInput } from './io.js';

const { location, delta } = input<WorkerInput & { delta: number }>();
const store = storeAt(location);
const db = await open({ store, prefix: location.prefix });
await db.exec('BEGIN');
const read = await db.queryOne<{ n: number }>('SELECT n FROM counter');
await db.run('UPDATE counter SET n = n + ?', [delta]);
send({ read: read?.n, seq: db.stats().snapshot.seq });
await goSignal();
let outcome: string;
try {
  await db.exec('COMMIT');
  outcome = 'committed';
} catch (error) {
  if (!(error instanceof S3liteError)) throw error;
  outcome = error.code;
}
send({
  outcome,
  // A loser's transaction was rolled back: its next read starts on the winner's commit.
  after: (await db.queryOne<{ n: number }>('SELECT n FROM counter'))?.n,
  conflicts: db.stats().volume.conflicts,
});
await db.close();
await store.close();

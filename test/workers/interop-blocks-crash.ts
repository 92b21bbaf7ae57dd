/**
 * A writer of a database in the blocks layout (sqlite-s3vfs) killed with SIGKILL at a chosen
 * instant of a large transaction — inserts `rows` rows of 3000 random bytes into table `t`
 * with a page cache of 10 pages, so that SQLite spills pages to the database before COMMIT —
 * and reports first the state of `t` that the transaction would commit:
 *
 * - `crashAt: 'spill'`: once pages spilled by the open transaction were stored, before COMMIT;
 * - `crashAt: 'commit'`: during COMMIT, once `after` database blocks were stored;
 * - `crashAt: 'journal'`: during COMMIT, right after the journal's block 0 was deleted, before
 *   its other blocks (the journal's deletion, which is the commit point in DELETE mode).
 *
 * A small write buffer makes the blocks go to the store while SQLite writes them.
 */
import { open } from '../../src/db/index.js';
import type { Attempt } from '../../src/store/base-store.js';
import { DelegatingStore, type ObjectStore, type StoreOperation } from '../../src/store/index.js';
import { crash, input, send, storeAt, type WorkerInput } from './io.js';
import { tableState } from './state.js';

interface BlocksCrashInput extends WorkerInput {
  /** The database's name in the store (its blocks are `<file>/…`). */
  file: string;
  blockSize: number;
  crashAt: 'spill' | 'commit' | 'journal';
  after: number;
  rows: number;
}

class CrashingStore extends DelegatingStore {
  /** Database blocks stored since the count was last reset. */
  databasePuts = 0;
  committing = false;

  constructor(
    inner: ObjectStore,
    private readonly plan: BlocksCrashInput,
  ) {
    super(inner);
  }

  protected override async around<T>(
    operation: StoreOperation,
    key: string | undefined,
    _attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    const result = await forward();
    if (operation === 'put' && key?.startsWith(`${this.plan.file}/`)) {
      this.databasePuts += 1;
      if (this.committing && this.plan.crashAt === 'commit' && this.databasePuts >= this.plan.after)
        crash();
    }
    const journalHeader = `${this.plan.file}-journal/0000000000`;
    if (this.committing && this.plan.crashAt === 'journal' && operation === 'delete') {
      if (key === journalHeader) crash();
    }
    return result;
  }
}

const plan = input<BlocksCrashInput>();
const store = new CrashingStore(storeAt(plan.location), plan);
const db = await open(
  { store, prefix: plan.file },
  { layout: 'blocks', blockSize: plan.blockSize, singleWriter: true, writeBufferBytes: 64 * 1024 },
);
await db.exec('PRAGMA cache_size=10');
await db.exec('BEGIN IMMEDIATE');
await db.run(
  `WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < ?)
   INSERT INTO t(x, v) SELECT k, randomblob(3000) FROM i`,
  [plan.rows],
);
const spilled = store.databasePuts;
send({ expected: await tableState(db), spilled });
if (plan.crashAt === 'spill') crash();
store.databasePuts = 0;
store.committing = true;
await db.exec('COMMIT');
throw new Error('COMMIT returned: the store should have killed the process');

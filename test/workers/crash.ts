/**
 * A writer killed with SIGKILL in the middle of committing a large transaction: inserts
 * `rows` rows of 4000 random bytes in one transaction, reports the state of table `t` that
 * the transaction would commit, then runs COMMIT through a store that kills the process:
 *
 * - `crashAt: 'pages'`: once `pagePuts` page objects of the COMMIT were stored, before the
 *   commit record could be created;
 * - `crashAt: 'commit'`: as soon as the commit record was created, before anything else
 *   (the response reaches nobody, the page cache and the checkpoint are never updated).
 *
 * A small write buffer makes the volume upload pages in batches while SQLite writes them,
 * so a crash at 'pages' leaves some of the transaction's pages in the store and some not.
 */
import { open } from '../../src/db/index.js';
import type { Attempt } from '../../src/store/base-store.js';
import { DelegatingStore, type ObjectStore, type StoreOperation } from '../../src/store/index.js';
import { crash, input, send, storeAt, type WorkerInput } from './io.js';
import { tableState } from './state.js';

interface CrashInput extends WorkerInput {
  crashAt: 'pages' | 'commit';
  pagePuts: number;
  rows: number;
}

class CrashingStore extends DelegatingStore {
  /** Set when COMMIT starts: only its requests are counted. */
  committing = false;
  private pagesStored = 0;

  constructor(
    inner: ObjectStore,
    private readonly plan: CrashInput,
  ) {
    super(inner);
  }

  protected override async around<T>(
    operation: StoreOperation,
    key: string | undefined,
    _attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    if (!this.committing || operation !== 'put' || key === undefined) return forward();
    if (key.includes('/commits/')) {
      if (this.plan.crashAt === 'pages') {
        throw new Error(`the commit record came before ${this.plan.pagePuts} page PUTs`);
      }
      await forward();
      return crash();
    }
    const result = await forward();
    if (this.plan.crashAt === 'pages' && key.includes('/pages/')) {
      this.pagesStored += 1;
      if (this.pagesStored === this.plan.pagePuts) crash();
    }
    return result;
  }
}

const plan = input<CrashInput>();
const store = new CrashingStore(storeAt(plan.location), plan);
const db = await open({ store, prefix: plan.location.prefix }, { writeBufferBytes: 64 * 1024 });
await db.exec('BEGIN IMMEDIATE');
await db.run(
  `WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < ?)
   INSERT INTO t(x, v) SELECT k, randomblob(4000) FROM i`,
  [plan.rows],
);
send({ seq: db.stats().snapshot.seq, expected: await tableState(db) });
store.committing = true;
await db.exec('COMMIT');
throw new Error('COMMIT returned: the store should have killed the process');

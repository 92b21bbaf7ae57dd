import { ConflictError } from '../../src/errors.js';
import type { Attempt } from '../../src/store/base-store.js';
import { DelegatingStore } from '../../src/store/index.js';
import type { ObjectStore, PutOptions, PutResult, StoreOperation } from '../../src/store/types.js';
import { PageCache, Volume } from '../../src/volume/index.js';

/**
 * A store through which commits lose races on demand: just before one of the next `n`
 * commit records of a transaction is created, another writer commits (straight to the inner
 * store), so the record's place is taken. A writer's turn (src/volume/turn.ts) is let through,
 * and the other writer waits until it ends. Lets a test make a single statement lose a race, which two
 * connections of one process cannot arrange (each statement runs whole under the mutex).
 */
export class Interloper extends DelegatingStore {
  private pending = 0;
  private hook: (() => Promise<unknown>) | undefined;

  constructor(
    inner: ObjectStore,
    private readonly prefix: string,
  ) {
    super(inner);
  }

  /** Make the next `n` commits through this store lose their race. */
  loseNext(n: number): void {
    this.pending = n;
  }

  /** Run `hook` (anything other writers or a collector do) just before the next commit. */
  beforeNextCommit(hook: () => Promise<unknown>): void {
    this.hook = hook;
  }

  protected override doPut(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    attempt: Attempt,
  ): Promise<PutResult> {
    const turn = new TextDecoder().decode(body).includes('"turn":');
    if (!turn) return super.doPut(key, body, options, attempt);
    return this.inner.put(key, body, { ...options, signal: attempt.signal });
  }

  protected override async around<T>(
    operation: StoreOperation,
    key: string | undefined,
    _attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    if (operation === 'put' && key?.includes('/commits/')) {
      const hook = this.hook;
      this.hook = undefined;
      await hook?.();
      if (this.pending > 0) {
        this.pending -= 1;
        await commitElsewhere(this.inner, this.prefix);
      }
    }
    return forward();
  }
}

/**
 * Another writer's commit that rewrites page 1 unchanged: the head moves, the data does not.
 * When the head is a turn, it waits until the turn ends, as writers do.
 */
async function commitElsewhere(store: ObjectStore, prefix: string): Promise<void> {
  const volume = await Volume.open(store, prefix, { cache: new PageCache() });
  await volume.beginRead();
  await volume.beginWrite().catch(async (error: unknown) => {
    if (!(error instanceof ConflictError) || error.retryAfterMs === undefined) throw error;
    await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
    await volume.beginWrite();
  });
  const pageSize = volume.snapshot.pageSize;
  await volume.write(0, (await volume.read(0, pageSize)).slice());
  await volume.commit();
  await volume.close();
}

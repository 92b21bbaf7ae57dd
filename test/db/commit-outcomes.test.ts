import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnknownOutcomeError } from '../../src/errors.js';
import { S3Store, type ObjectStore } from '../../src/store/index.js';
import { FaultInjectingStore } from '../../src/testing/index.js';
import { PageCache } from '../../src/volume/index.js';
import { Connections } from '../support/connections.js';
import { failure } from '../support/failure.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { createTestArea, s3Options, STORE_KINDS, type TestArea } from '../support/stores.js';

/** Faults between a connection and the store, as each kind of store can have them. */
interface Faults {
  store: ObjectStore;
  /** The commit record's create lands, its answer is lost, and the next `fails` tries fail. */
  loseCommitAnswer(fails: number): void;
  /** Every checkpoint PUT fails. */
  failCheckpoints(): void;
  /** The answer to the conditional-write probe's first PUT is lost (the PUT lands). */
  loseProbeAnswer(): void;
  /** Answers lost so far. */
  lost(): number;
  clear(): void;
  close(): Promise<void>;
}

/** Few, quick retries: the tests run out of them on purpose. */
const retry = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** Memory and file stores: faults injected by a wrapper around the store. */
function wrapperFaults(area: TestArea): Faults {
  const store = new FaultInjectingStore(area.store, { retry });
  const put = ['put'] as const;
  return {
    store,
    loseCommitAnswer: (fails) => {
      store.inject({ kind: 'lost-response', operations: put, keys: /commits\// });
      store.inject({ kind: 'error', operations: put, keys: /commits\//, times: fails });
    },
    failCheckpoints: () =>
      store.inject({ kind: 'error', operations: put, keys: /checkpoints\//, times: Infinity }),
    loseProbeAnswer: () =>
      store.inject({ kind: 'lost-response', operations: put, keys: /s3lite-probe/ }),
    lost: () => store.injected['lost-response'],
    clear: () => store.clear(),
    close: () => store.close(),
  };
}

/** The S3 server: faults made on the wire, by a proxy on loopback in front of it. */
async function proxyFaults(): Promise<Faults> {
  const options = s3Options();
  const proxy = await FaultProxy.start(options.endpoint);
  const store = new S3Store({ ...options, endpoint: proxy.endpoint, retry });
  return {
    store,
    loseCommitAnswer: (fails) => {
      proxy.inject({ kind: 'lose-response', method: 'PUT', path: /\/commits\// });
      proxy.inject({ kind: 'reset', method: 'PUT', path: /\/commits\//, times: fails });
    },
    failCheckpoints: () =>
      proxy.inject({ kind: 'reset', method: 'PUT', path: /\/checkpoints\//, times: Infinity }),
    loseProbeAnswer: () =>
      proxy.inject({ kind: 'lose-response', method: 'PUT', path: /s3lite-probe/ }),
    lost: () => proxy.injected['lose-response'],
    clear: () => proxy.clear(),
    close: async () => {
      await store.close();
      await proxy.close();
    },
  };
}

/*
 * Invariant 9 (docs/FORMAT.md, "Commit outcomes"): a commit's outcome is known before it is
 * reported, and work after the commit point never fails the commit. Faults come between the
 * connection and a real store: a wrapper for memory and file, a proxy on the wire for S3.
 */
describe.each(STORE_KINDS)('commit outcomes: %s', (kind) => {
  let area: TestArea;
  let faults: Faults;
  const connections = new Connections();

  beforeEach(async () => {
    area = createTestArea(kind);
    faults = kind === 's3' ? await proxyFaults() : wrapperFaults(area);
  });
  afterEach(async () => {
    await connections.closeAll();
    await faults.close();
    await area.cleanup();
  });

  const connect = (options = {}) =>
    connections.open(
      { store: faults.store, prefix: area.prefix },
      { cache: new PageCache(), ...options },
    );
  const rows = async (): Promise<number> => {
    const reader = await connections.open(
      { store: area.reopen(), prefix: area.prefix },
      { cache: new PageCache() },
    );
    return ((await reader.queryOne<{ n: number }>('SELECT count(*) AS n FROM t')) ?? { n: -1 }).n;
  };

  it('finds out that a commit whose answer was lost landed, and runs the body once', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(x)');
    // The store's own retries (3 attempts) all fail; resolving sends the record again.
    faults.loseCommitAnswer(2);
    let runs = 0;
    await db.transaction(async (tx) => {
      runs += 1;
      await tx.run('INSERT INTO t VALUES (1)');
    });
    expect(runs).toBe(1);
    expect(faults.lost()).toBe(1);
    expect(await rows()).toBe(1);
  });

  it('reports an outcome it cannot find out as UNKNOWN_OUTCOME, not retryable, never re-run', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(x)');
    const seq = db.stats().snapshot.seq + 1;
    faults.loseCommitAnswer(Infinity);
    let runs = 0;
    const error = await failure(
      db.transaction(async (tx) => {
        runs += 1;
        await tx.run('INSERT INTO t VALUES (1)');
      }),
    );
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error.code).toBe('UNKNOWN_OUTCOME');
    expect((error as UnknownOutcomeError).retryable).toBe(false);
    expect((error as UnknownOutcomeError).seq).toBe(seq);
    expect(error.message).toContain((error as UnknownOutcomeError).txid);
    expect(runs).toBe(1);
    faults.clear();
    // It did land: exactly once. The connection carries on from the real head.
    expect(await rows()).toBe(1);
    await db.transaction((tx) => tx.run('INSERT INTO t VALUES (2)'));
    expect(await rows()).toBe(2);
  });

  it('resolves a lost answer to the new database’s conditional-write probe', async () => {
    faults.loseProbeAnswer();
    const db = await connect();
    await db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    expect(faults.lost()).toBe(1);
    expect(await rows()).toBe(1);
  });

  it('does not fail committed transactions when their checkpoints fail', async () => {
    const reported: Error[] = [];
    const db = await connect({
      checkpointInterval: 2,
      onBackgroundError: (error: Error) => reported.push(error),
    });
    await db.exec('CREATE TABLE t(x)');
    faults.failCheckpoints();
    for (let i = 0; i < 10; i++) await db.run('INSERT INTO t VALUES (?)', [i]);
    expect(await rows()).toBe(10);
    const { backgroundErrors, lastBackgroundError } = db.stats().volume;
    expect(backgroundErrors).toBeGreaterThan(0);
    expect(reported).toHaveLength(backgroundErrors);
    expect(lastBackgroundError).toContain('checkpoints/');
    // Tried again once per checkpoint interval, not by every commit after the first failure.
    expect(backgroundErrors).toBeLessThanOrEqual(5);
    faults.clear();
    for (let i = 0; i < 4; i++) await db.run('INSERT INTO t VALUES (?)', [i]);
    expect(db.stats().volume.backgroundErrors).toBe(backgroundErrors);
    expect(await rows()).toBe(14);
  });
});

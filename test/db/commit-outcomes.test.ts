import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnknownOutcomeError } from '../../src/errors.js';
import { FaultInjectingStore } from '../../src/store/index.js';
import { PageCache } from '../../src/volume/index.js';
import { Connections } from '../helpers/connections.js';
import { failure } from '../helpers/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../helpers/stores.js';

/*
 * Invariant 9 (docs/FORMAT.md, "Commit outcomes"): a commit's outcome is known before it is
 * reported, and work after the commit point never fails the commit. Faults are injected
 * between the volume and a real store (memory, file, the S3 server).
 */
describe.each(STORE_KINDS)('commit outcomes: %s', (kind) => {
  let area: TestArea;
  let faults: FaultInjectingStore;
  const connections = new Connections();

  beforeEach(() => {
    area = createTestArea(kind);
    faults = new FaultInjectingStore(area.store, {
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
  });
  afterEach(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  const connect = (options = {}) =>
    connections.open(
      { store: faults, prefix: area.prefix },
      { cache: new PageCache(), ...options },
    );
  const rows = async (): Promise<number> => {
    const reader = await connections.open(
      { store: area.reopen(), prefix: area.prefix },
      { cache: new PageCache() },
    );
    return ((await reader.queryOne<{ n: number }>('SELECT count(*) AS n FROM t')) ?? { n: -1 }).n;
  };
  /** The commit record's create lands, its answer is lost, and the next `resets` tries fail. */
  const loseCommitAnswer = (resets: number) => {
    faults.inject({ kind: 'lost-response', operations: ['put'], keys: /commits\// });
    faults.inject({ kind: 'error', operations: ['put'], keys: /commits\//, times: resets });
  };

  it('finds out that a commit whose answer was lost landed, and runs the body once', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(x)');
    // The store's own retries (3 attempts) all fail; resolving sends the record again.
    loseCommitAnswer(2);
    let runs = 0;
    await db.transaction(async (tx) => {
      runs += 1;
      await tx.run('INSERT INTO t VALUES (1)');
    });
    expect(runs).toBe(1);
    expect(faults.injected['lost-response']).toBe(1);
    expect(await rows()).toBe(1);
  });

  it('reports an outcome it cannot find out as UNKNOWN_OUTCOME, not retryable, never re-run', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(x)');
    const seq = db.stats().snapshot.seq + 1;
    loseCommitAnswer(Infinity);
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
    faults.inject({ kind: 'lost-response', operations: ['put'], keys: /s3lite-probe/ });
    const db = await connect();
    await db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    expect(faults.injected['lost-response']).toBe(1);
    expect(await rows()).toBe(1);
  });

  it('does not fail committed transactions when their checkpoints fail', async () => {
    const reported: Error[] = [];
    const db = await connect({
      checkpointInterval: 2,
      onBackgroundError: (error: Error) => reported.push(error),
    });
    await db.exec('CREATE TABLE t(x)');
    faults.inject({ kind: 'error', operations: ['put'], keys: /checkpoints\//, times: Infinity });
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

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, type OpenOptions } from '../../src/db/index.js';
import { ConflictError } from '../../src/errors.js';
import type { ObjectStore } from '../../src/store/types.js';
import { PageCache } from '../../src/volume/index.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';
import { Connections } from '../support/connections.js';
import { Interloper } from './interloper.js';

describe.each(STORE_KINDS)('concurrent connections: %s', (kind) => {
  let area: TestArea;
  const connections = new Connections();
  const connect = async (
    options: OpenOptions = {},
    store: ObjectStore = area.store,
  ): Promise<Database> => {
    return connections.open({ store, prefix: area.prefix }, { cache: new PageCache(), ...options });
  };
  const count = async (db: Database): Promise<unknown> =>
    (await db.queryOne('SELECT count(*) AS n FROM t'))?.n;

  beforeEach(async () => {
    area = createTestArea(kind);
    const setup = await connect();
    await setup.exec(
      'CREATE TABLE t(x); INSERT INTO t VALUES (1); CREATE TABLE counter(n); INSERT INTO counter VALUES (0)',
    );
  });
  afterEach(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  it('keeps a read transaction on its snapshot while another connection commits', async () => {
    const reader = await connect();
    const writer = await connect();
    await reader.exec('BEGIN');
    expect(await count(reader)).toBe(1);
    await writer.run('INSERT INTO t VALUES (2)');
    expect(await count(writer)).toBe(2);
    expect(await count(reader)).toBe(1);
    const rows = await reader.prepare('SELECT x FROM t');
    await writer.run('INSERT INTO t VALUES (3)');
    const seen = [];
    for await (const row of rows.iterate()) seen.push(row.x);
    expect(seen).toEqual([1]);
    await rows.finalize();
    await reader.exec('COMMIT');
    expect(await count(reader)).toBe(3);
  });

  it('lets exactly one of two writers on the same snapshot commit', async () => {
    const a = await connect();
    const b = await connect();
    await a.exec('BEGIN IMMEDIATE; UPDATE counter SET n = n + 1');
    await b.exec('BEGIN IMMEDIATE; UPDATE counter SET n = n + 10');
    await a.exec('COMMIT');
    const lost = await failure(b.exec('COMMIT'));
    expect(lost).toBeInstanceOf(ConflictError);
    expect(lost.code).toBe('CONFLICT');
    // The loser's transaction was rolled back: it starts afresh on the winner's commit.
    expect(await b.queryOne('SELECT n FROM counter')).toEqual({ n: 1 });
    await b.exec('BEGIN IMMEDIATE; UPDATE counter SET n = n + 10; COMMIT');
    expect(await a.queryOne('SELECT n FROM counter')).toEqual({ n: 11 });
    expect(b.stats().volume.conflicts).toBe(1);
  });

  it('re-runs a transaction() that lost its race, so both increments land', async () => {
    const a = await connect();
    const b = await connect();
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    let readers = 0;
    const attempts = { a: 0, b: 0 };
    const increment = (db: Database, name: 'a' | 'b') =>
      db.transaction(async (tx) => {
        attempts[name] += 1;
        const { n } = (await tx.queryOne<{ n: number }>('SELECT n FROM counter')) ?? { n: -1 };
        // First attempts: both read before either writes, so one must lose.
        if (attempts[name] === 1 && ++readers === 2) bothRead();
        if (attempts[name] === 1) await barrier;
        await tx.run('UPDATE counter SET n = ?', [n + 1]);
        return n + 1;
      });
    const results = await Promise.all([increment(a, 'a'), increment(b, 'b')]);
    expect(results.sort()).toEqual([1, 2]);
    expect(attempts.a + attempts.b).toBe(3);
    expect(await (await connect()).queryOne('SELECT n FROM counter')).toEqual({ n: 2 });
  });

  it('lands every increment of several racing connections', async () => {
    // Each lost race re-runs the transaction: on S3, under load, 4 × 5 increments took over a
    // minute. Four writers racing twice each exercise the same re-runs at a fraction of it.
    const rounds = kind === 's3' ? 2 : 5;
    const writers = await Promise.all([connect(), connect(), connect(), connect()]);
    await Promise.all(
      writers.map(async (db) => {
        for (let i = 0; i < rounds; i++) {
          await db.transaction(async (tx) => {
            const row = await tx.queryOne<{ n: number }>('SELECT n FROM counter');
            await tx.run('UPDATE counter SET n = ?', [(row?.n ?? 0) + 1]);
          });
        }
      }),
    );
    expect(await writers[0]?.queryOne('SELECT n FROM counter')).toEqual({ n: 4 * rounds });
  });

  it('re-runs a statement outside a transaction on the new head when it loses a race', async () => {
    const store = new Interloper(area.store, area.prefix);
    const db = await connect({}, store);
    store.loseNext(2);
    expect(await db.run('UPDATE counter SET n = n + 1')).toMatchObject({ changes: 1 });
    expect(db.stats().volume.conflicts).toBe(2);
    store.loseNext(1);
    await db.exec('INSERT INTO t VALUES (2); INSERT INTO t VALUES (3); INSERT INTO t VALUES (4)');
    expect(await (await connect()).query('SELECT x FROM t')).toEqual([
      { x: 1 },
      { x: 2 },
      { x: 3 },
      { x: 4 },
    ]);
    expect(await db.queryOne('SELECT n FROM counter')).toEqual({ n: 1 });
  });

  it('gives up with CONFLICT after maxRetries lost races', async () => {
    const store = new Interloper(area.store, area.prefix);
    const db = await connect({ maxRetries: 2, retryDelayMs: 1 }, store);
    store.loseNext(3);
    const error = await failure(db.run('UPDATE counter SET n = n + 1'));
    expect(error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('lost 3 commit races'),
    });
    store.loseNext(2);
    let runs = 0;
    const inTransaction = db.transaction(
      async (tx) => {
        runs += 1;
        await tx.run('UPDATE counter SET n = n + 1');
      },
      { maxRetries: 1 },
    );
    expect(await failure(inTransaction)).toMatchObject({ code: 'CONFLICT' });
    expect(runs).toBe(2);
    expect(await db.queryOne('SELECT n FROM counter')).toEqual({ n: 0 });
    await db.run('UPDATE counter SET n = n + 1');
    expect(await db.queryOne('SELECT n FROM counter')).toEqual({ n: 1 });
  });

  it('makes other callers of a connection wait while its transaction() runs', async () => {
    const db = await connect();
    const events: string[] = [];
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    const transaction = db.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (2)');
      inside();
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push('transaction body done');
    });
    await started;
    const outside = db.query('SELECT x FROM t').then((rows) => {
      events.push('outside query done');
      return rows;
    });
    await transaction;
    expect(await outside).toEqual([{ x: 1 }, { x: 2 }]);
    expect(events).toEqual(['transaction body done', 'outside query done']);
  });
});

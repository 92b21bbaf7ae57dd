import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPool, type DatabasePool } from '../../src/db/index.js';
import { ClosedError, InvalidArgumentError, ReadOnlyError } from '../../src/errors.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

describe.each(STORE_KINDS)('openPool: %s', (kind) => {
  let area: TestArea;
  let pool: DatabasePool;

  beforeEach(async () => {
    area = createTestArea(kind);
    pool = await openPool({ store: area.store, prefix: area.prefix }, { readers: 2 });
    await pool.transaction(async (db) => {
      await db.exec('CREATE TABLE t(x)');
      await db.run('INSERT INTO t VALUES (1)');
    });
  });
  afterEach(async () => {
    await pool.close();
    await area.cleanup();
  });

  it('reads what the writer committed, more reads at once than it has readers', async () => {
    await pool.run('INSERT INTO t VALUES (2)');
    const counts = await Promise.all(
      Array.from({ length: 7 }, () => pool.queryOne<{ n: number }>('SELECT count(*) AS n FROM t')),
    );
    expect(counts.map((row) => row?.n)).toEqual(Array(7).fill(2));
  });

  it('runs transactions started at once one after another, none lost', async () => {
    await pool.run('CREATE TABLE counter(n)');
    await pool.run('INSERT INTO counter VALUES (0)');
    await Promise.all(
      Array.from({ length: 10 }, () =>
        pool.transaction((db) => db.run('UPDATE counter SET n = n + 1')),
      ),
    );
    expect(await pool.queryOne('SELECT n FROM counter')).toEqual({ n: 10 });
  });

  it('keeps one snapshot through a read while the writer commits', async () => {
    const seen = await pool.read(async (db) => {
      const before = await db.query('SELECT x FROM t');
      await pool.run('INSERT INTO t VALUES (2)');
      return [before, await db.query('SELECT x FROM t')];
    });
    expect(seen).toEqual([[{ x: 1 }], [{ x: 1 }]]);
    expect(await pool.query('SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('refuses writes on a read connection', async () => {
    await expect(pool.read((db) => db.run('INSERT INTO t VALUES (3)'))).rejects.toThrow(
      ReadOnlyError,
    );
    expect(await pool.query('SELECT x FROM t')).toEqual([{ x: 1 }]);
  });

  it('fails reads waiting for a reader, and later calls, with CLOSED once closing', async () => {
    let finish = (): void => undefined;
    const held = new Promise<void>((resolve) => (finish = resolve));
    const busy = [1, 2].map(() => pool.read(() => held));
    const waiting = expect(pool.query('SELECT x FROM t')).rejects.toThrow(ClosedError);
    const closing = pool.close();
    finish();
    await Promise.all(busy);
    await waiting;
    await closing;
    await expect(pool.query('SELECT x FROM t')).rejects.toThrow(ClosedError);
  });
});

describe('openPool options', () => {
  it('refuses a readers count that is not a whole number ≥ 1', async () => {
    await expect(openPool('memory://pool/x', { readers: 0 })).rejects.toThrow(
      new InvalidArgumentError('readers must be a whole number ≥ 1, not 0'),
    );
  });
});

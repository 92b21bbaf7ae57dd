import { describe, expect, it, vi } from 'vitest';
import { open } from '../../src/db/index.js';
import { MemoryStore } from '../../src/store/index.js';

// As in a browser or a Worker: no AsyncLocalStorage, so the connection cannot tell by the
// async call chain which calls come from inside a transaction.
vi.mock('../../src/platform/host.js', async (importOriginal) => {
  const web = await import('../../src/platform/web.js');
  return { ...(await importOriginal<object>()), AsyncScope: web.AsyncScope };
});

describe('transaction() where async call chains cannot be followed (browsers, Workers)', () => {
  it("runs the body's calls on the handle it is given, and holds other callers back", async () => {
    const db = await open({ store: new MemoryStore(), prefix: 'scope' });
    await db.exec('CREATE TABLE t (x INTEGER)');
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (1)');
      outside = db.run('INSERT INTO t VALUES (2)').then(() => order.push('outside'));
      const statement = await tx.prepare('SELECT count(*) AS n FROM t');
      expect(await statement.get()).toEqual({ n: 1 });
      await statement.finalize();
      order.push('body');
    });
    await outside;
    expect(order).toEqual(['body', 'outside']);
    expect(await db.query('SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }, { x: 2 }]);
    await db.close();
  });

  it('refuses a nested transaction() on the handle', async () => {
    const db = await open({ store: new MemoryStore(), prefix: 'nested' });
    const nested = db.transaction((tx) => tx.transaction(async () => undefined));
    await expect(nested).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await db.close();
  });
});

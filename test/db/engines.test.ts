import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Database } from '../../src/db/index.js';
import { EnginePool } from '../../src/db/engine-pool.js';
import { loadSqliteRuntime, type SqliteRuntime } from '../../src/db/sqlite-runtime.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { wasm } from '../../src/platform/wasm.js';
import { PageCache } from '../../src/volume/index.js';
import { Connections } from '../support/connections.js';
import { GateStore } from '../support/gate-store.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

describe.each(STORE_KINDS)('connections in one process: %s', (kind) => {
  let area: TestArea;
  let store: GateStore;
  const connections = new Connections();
  // Each connection has a cache of its own and no read-ahead, so its reads reach the store.
  const connect = (name: string): Promise<Database> =>
    connections.open(
      { store, prefix: `${area.prefix}${name}/` },
      { cache: new PageCache(), readAheadMax: 0 },
    );

  beforeEach(() => {
    area = createTestArea(kind);
    store = new GateStore(area.store);
  });
  afterEach(async () => {
    store.release();
    await connections.closeAll();
    await area.cleanup();
  });

  it('make progress while another waits for a store request', async () => {
    for (const name of ['a', 'b', 'slow']) {
      const db = await connect(name);
      await db.exec(`CREATE TABLE t(x); INSERT INTO t VALUES ('${name}')`);
      await db.close();
    }
    const [a, b, slow] = await Promise.all(['a', 'b', 'slow'].map(connect));
    store.hold(`${area.prefix}slow/`);
    const stuck = slow!.query('SELECT x FROM t');
    await store.arrived;
    // The slow connection is now inside SQLite, waiting for a GET that does not come back.
    expect(await a!.query('SELECT x FROM t')).toEqual([{ x: 'a' }]);
    await b!.run("INSERT INTO t VALUES ('b2')");
    expect(await b!.query('SELECT x FROM t')).toEqual([{ x: 'b' }, { x: 'b2' }]);
    store.release();
    expect(await stuck).toEqual([{ x: 'slow' }]);
  });
});

describe('EnginePool', () => {
  const loaded: number[] = [];
  const pool = (max: number) =>
    new EnginePool(max, async () => {
      loaded.push(loaded.length);
      return { id: loaded.length } as unknown as SqliteRuntime;
    });
  beforeEach(() => void loaded.splice(0));
  const ids = (leases: { runtime: SqliteRuntime }[]) =>
    leases.map((lease) => (lease.runtime as unknown as { id: number }).id);

  it('loads an engine per connection up to the cap, then shares the least used', async () => {
    const engines = pool(3);
    const leases = await Promise.all([1, 2, 3, 4, 5].map(() => engines.acquire()));
    expect(ids(leases)).toEqual([1, 2, 3, 1, 2]);
    expect(engines.size).toBe(3);
    leases[2]!.release();
    leases[2]!.release();
    expect(ids([await engines.acquire(), await engines.acquire()])).toEqual([3, 3]);
    expect(loaded.length).toBe(3);
  });

  it('by default gives each of 64 connections an engine of its own', async () => {
    const engines = new EnginePool(undefined, async () => ({}) as SqliteRuntime);
    const leases = await Promise.all(Array.from({ length: 65 }, () => engines.acquire()));
    expect(new Set(leases.slice(0, 64).map((lease) => lease.runtime)).size).toBe(64);
    expect(engines.size).toBe(64);
  });

  it('reuses an engine its connections left before loading another', async () => {
    const engines = pool(4);
    const first = await engines.acquire();
    first.release();
    expect(ids([await engines.acquire()])).toEqual([1]);
    expect(engines.size).toBe(1);
  });

  it('forgets an engine that failed to load, so that the next connection tries again', async () => {
    let fail = true;
    const engines = new EnginePool(2, async () => {
      if (fail) throw new Error('no wasm');
      return {} as SqliteRuntime;
    });
    await expect(engines.acquire()).rejects.toThrow('no wasm');
    expect(engines.size).toBe(0);
    fail = false;
    await engines.acquire();
    expect(engines.size).toBe(1);
  });

  it('refuses a cap that is not a whole number ≥ 1', () => {
    expect(() => new EnginePool(0)).toThrow(InvalidArgumentError);
    expect(() => (pool(1).maxEngines = 1.5)).toThrow(/maxEngines must be a whole number ≥ 1/);
  });
});

describe('loading engines', () => {
  afterEach(() => vi.restoreAllMocks());

  it('compiles the .wasm once: later engines instantiate the compiled module', async () => {
    const compile = vi.spyOn(wasm, 'compile');
    const instantiate = vi.spyOn(wasm, 'instantiate');
    const runtimes = await Promise.all([1, 2, 3].map(() => loadSqliteRuntime()));
    expect(compile.mock.calls.length).toBeLessThanOrEqual(1);
    // Instantiating bytes would compile them again for each engine.
    expect(instantiate).not.toHaveBeenCalled();
    // Each engine still has a heap of its own.
    const [a, b] = runtimes.map((runtime) => runtime.module.HEAPU8.buffer);
    expect(a).not.toBe(b);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitLog, type Database } from '../../src/db/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { PageCache } from '../../src/volume/index.js';
import { later } from '../support/clock.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';
import { Connections } from '../support/connections.js';

/** A deterministic pseudo-random generator, so a failing run can be repeated. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Statements of a small random workload: inserts, updates, deletes, DDL, a transaction. */
function workload(seed: number, count: number): string[] {
  const next = random(seed);
  const statements = [
    'CREATE TABLE a(id INTEGER PRIMARY KEY, x INTEGER, y TEXT)',
    'CREATE TABLE b(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID',
  ];
  for (let i = 0; i < count; i++) {
    const n = Math.floor(next() * 40);
    const pick = next();
    if (pick < 0.35) {
      statements.push(
        `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n + 1})
         INSERT INTO a(x, y) SELECT i * ${i}, printf('%0${(n % 7) + 1}d-%d', i, ${i}) FROM c`,
      );
    } else if (pick < 0.55) {
      statements.push(`UPDATE a SET x = x + ${n}, y = y || '${i}' WHERE id % ${(n % 5) + 2} = 0`);
    } else if (pick < 0.7) {
      statements.push(`DELETE FROM a WHERE id % ${(n % 4) + 3} = ${n % 3}`);
    } else if (pick < 0.85) {
      statements.push(`INSERT OR REPLACE INTO b(k, v) VALUES ('k${n}', zeroblob(${n * 97 + 1}))`);
    } else if (pick < 0.9) {
      statements.push(`CREATE INDEX IF NOT EXISTS a_x_${i % 3} ON a(x)`);
    } else {
      statements.push(
        `BEGIN; UPDATE a SET x = -x WHERE id < ${n}; DELETE FROM b WHERE k < 'k${n}'; COMMIT`,
      );
    }
  }
  return statements;
}

/** Schema and every row of every table, in a canonical order: what "the same state" means. */
async function dump(db: Database): Promise<unknown> {
  const schema = await db.query<{ type: string; name: string; sql: string }>(
    'SELECT type, name, sql FROM sqlite_schema ORDER BY name',
  );
  const rows: Record<string, unknown[]> = {};
  for (const { type, name } of schema) {
    if (type === 'table') rows[name] = await db.query(`SELECT * FROM "${name}" ORDER BY 1`);
  }
  return { schema, rows };
}

describe.each(STORE_KINDS)('time travel: %s', (kind) => {
  let area: TestArea;
  const connections = new Connections();
  const connect = async (options = {}) => {
    return connections.open(
      { store: area.store, prefix: area.prefix },
      { cache: new PageCache(), checkpointInterval: 8, ...options },
    );
  };

  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  it('opens exactly the state after commit N, as a local replay of the same statements has it', async () => {
    const statements = workload(kind.length, 28);
    const db = await connect();
    const seqs: number[] = [];
    for (const sql of statements) {
      await db.exec(sql);
      seqs.push(db.stats().snapshot.seq);
    }

    const local = await connections.open({ store: new MemoryStore(), prefix: 'replay' });
    for (const [i, sql] of statements.entries()) {
      await local.exec(sql);
      const past = await connect({ at: seqs[i] });
      expect(past.stats().snapshot.seq).toBe(seqs[i]);
      expect(await dump(past)).toEqual(await dump(local));
      expect(await past.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      await past.close();
    }
    expect((await failure(connect({ at: seqs.at(-1)! + 1 }))).code).toBe('NOT_FOUND');
  });

  it('opens at a time: the newest commit made by then, with a few GETs and no LIST', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(n)');
    const times = [db.stats().snapshot.time];
    for (let n = 1; n <= 30; n++) {
      // Commit times are milliseconds: keep consecutive commits apart.
      await new Promise((resolve) => setTimeout(resolve, 3));
      await db.run('INSERT INTO t VALUES (?)', [n]);
      times.push(db.stats().snapshot.time);
    }
    for (const seq of [1, 2, 9, 17, 30, 31]) {
      area.store.metrics.reset();
      const past = await connect({ at: new Date(times[seq - 1]!) });
      const { requests } = area.store.metrics.snapshot();
      expect(past.stats().snapshot.seq).toBe(seq);
      expect(await past.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: seq - 1 });
      // Finding the commit: the marker, hint and oldest-retained record, then about
      // 2·log2(31) commit records; opening it: a checkpoint and the records after it.
      expect(requests.get).toBeLessThanOrEqual(30);
      expect(requests.list).toBe(0);
      await past.close();
    }
    expect((await connect({ at: new Date(times[0]! - 1) })).stats().snapshot.seq).toBe(0);
    expect((await connect({ at: new Date(Date.now() + 60_000) })).stats().snapshot.seq).toBe(31);
  });

  it('reports commits that garbage collection removed as SNAPSHOT_EXPIRED, by number and time', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(n)');
    for (let n = 1; n <= 20; n++) await db.run('INSERT INTO t VALUES (?)', [n]);
    const early = db.stats().snapshot.time;
    const second = (await commitLog({ store: area.store, prefix: area.prefix })).at(-2);
    expect(second?.seq).toBe(2);
    const report = await db.gc({ keepLast: 5, grace: 0, clock: later });
    expect(report.oldestRetained).toBe(16);

    for (const at of [1, 15, new Date(second!.time)]) {
      const error = await failure(connect({ at }));
      expect(error.code).toBe('SNAPSHOT_EXPIRED');
      expect(error.message).toContain('oldest retained');
    }
    expect((await connect({ at: 16 })).stats().snapshot.seq).toBe(16);
    expect((await connect({ at: new Date(early) })).stats().snapshot.seq).toBe(21);
    const log = await commitLog({ store: area.store, prefix: area.prefix });
    expect(log.map((c) => c.seq)).toEqual([21, 20, 19, 18, 17, 16]);
  });
});

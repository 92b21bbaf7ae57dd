import { createReadStream, statSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageCache, type Database } from '../../src/index.js';
import { createTestArea, type TestArea } from '../support/stores.js';
import { Connections } from '../support/connections.js';
import { localDatabase, scratchDir, sqlite3, tableDepth } from './local-files.js';

/*
 * Plain .sqlite objects read in place: ranged GETs pinned to the object's ETag, through the
 * page cache; a replaced object is never read as a mix of two versions.
 */

const scratch = scratchDir();
afterAll(() => scratch.remove());

describe('plain .sqlite objects on S3', () => {
  let area: TestArea;
  const connections = new Connections();
  const connect = async (key: string, options = {}): Promise<Database> => {
    return connections.open(
      { store: area.store, prefix: key },
      { cache: new PageCache(), ...options },
    );
  };
  const count = async <T>(fn: () => Promise<T>) => {
    area.store.metrics.reset();
    const result = await fn();
    const { requests, totalRequests } = area.store.metrics.snapshot();
    return { result, requests, total: totalRequests };
  };

  beforeAll(() => {
    area = createTestArea('s3');
  });
  afterAll(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  it('answers a point query on a 100 MiB object with at most B-tree depth + 2 ranged GETs', async ({
    annotate,
  }) => {
    const file = path.join(scratch.dir, 'big.sqlite');
    sqlite3(
      file,
      `PRAGMA page_size=4096;
       CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB NOT NULL);
       INSERT INTO t(id, v) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 900000)
         SELECT i, randomblob(110) FROM c`,
    );
    const size = statSync(file).size;
    expect(size).toBeGreaterThanOrEqual(100 * 1024 * 1024);
    const depth = tableDepth(file, 't');
    const key = `${area.prefix}big.sqlite`;
    await area.store.putStream(key, createReadStream(file));

    // Found without being told: no s3lite marker, nothing under the prefix, an object of that
    // name with a SQLite header (the s3lite marker, hint and oldest-retained, one LIST, then
    // the object). Told, the opening is one GET of the first 64 KiB.
    const found = await count(() => connect(key));
    expect(found.result.layout).toBe('object');
    expect(found.requests).toMatchObject({ get: 4, list: 1, head: 0, put: 0 });
    const told = await count(() => connect(key, { layout: 'object' }));
    expect(told.requests).toMatchObject({ get: 1, list: 0, head: 0, put: 0 });
    const db = told.result;
    expect(db.stats().snapshot).toMatchObject({ pageSize: 4096, pageCount: size / 4096 });

    const point = await count(() =>
      db.queryOne<{ n: number }>('SELECT length(v) AS n FROM t WHERE id = ?', [654_321]),
    );
    expect(point.result).toEqual({ n: 110 });
    expect(point.requests.get).toBeLessThanOrEqual(depth + 2);
    // One HEAD: the query's second read transaction checks that the object is unchanged.
    expect(point.requests).toMatchObject({ head: 1, list: 0, put: 0 });
    expect(point.total).toBeLessThanOrEqual(depth + 2);
    const warm = await count(() =>
      db.queryOne('SELECT length(v) AS n FROM t WHERE id = ?', [654_321]),
    );
    expect(warm.requests).toMatchObject({ get: 0, head: 1 });
    await annotate(
      `${(size / 1048576).toFixed(0)} MiB, B-tree depth ${depth}: point query ${point.requests.get} ranged GETs + 1 HEAD; warm 1 HEAD`,
    );
    // Read-only: a write is refused with a clear error.
    expect(await db.exec('DELETE FROM t').catch((error: unknown) => error)).toMatchObject({
      code: 'READ_ONLY',
    });
  });

  it('reads a replaced object at the next transaction, never mixed with the old version', async () => {
    // Two databases made by the same statements, with different values: their headers are
    // the same (change counter, page count…), so only s3lite can tell SQLite they differ.
    const a = localDatabase(
      scratch.dir,
      'a.sqlite',
      1024,
      2000,
      "UPDATE t SET v = printf('%040d', id + 7)",
    );
    const b = localDatabase(
      scratch.dir,
      'b.sqlite',
      1024,
      2000,
      "UPDATE t SET v = printf('%040d', id + 8)",
    );
    expect(b.bytes.subarray(24, 40)).toEqual(a.bytes.subarray(24, 40));
    const key = `${area.prefix}replaced.sqlite`;
    await area.store.put(key, a.bytes);
    const sum = 'SELECT sum(CAST(v AS INTEGER)) AS s FROM t';
    const sumA = (2000 * 2001) / 2 + 7 * 2000;

    const reader = await connect(key, { layout: 'object', readAheadMax: 0 });
    expect(await reader.queryOne(sum)).toEqual({ s: sumA });
    await area.store.put(key, b.bytes);
    // A statement outside a transaction: its read transaction starts on the new version.
    expect(await reader.queryOne(sum)).toEqual({ s: sumA + 2000 });

    // Inside a transaction: pages not cached yet cannot be read from the new version (a
    // new connection, with a cache of its own, has only read the pages of row 1).
    await area.store.put(key, a.bytes);
    const inside = await connect(key, { layout: 'object', readAheadMax: 0 });
    await inside.exec('BEGIN');
    expect(await inside.queryOne('SELECT v FROM t WHERE id = 1')).toEqual({
      v: String(8).padStart(40, '0'),
    });
    await area.store.put(key, b.bytes);
    const failed = await inside
      .queryOne('SELECT v FROM t WHERE id = 1999')
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 'CONFLICT' });
    expect(String(failed)).toContain('replaced while being read');
    // The transaction is over (rolled back); the next one reads the new version, all of it.
    expect(await inside.queryOne('SELECT v FROM t WHERE id = 1999')).toEqual({
      v: String(2007).padStart(40, '0'),
    });
  });
});

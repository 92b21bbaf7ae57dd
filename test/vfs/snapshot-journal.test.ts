import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { PageCache } from '../../src/volume/index.js';
import { Connections } from '../support/connections.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

/**
 * The rollback journal of an s3lite database keeps its page images in the pinned commit
 * (SnapshotJournal). SQLite must still be able to roll back exactly: whole transactions and
 * savepoints, with SQLite's page cache too small to hold the transaction (so it spills pages
 * to the database file and journals them first).
 */
describe.each(STORE_KINDS)('rollback through the snapshot journal: %s', (kind) => {
  let area: TestArea;
  const connections = new Connections();
  let db: Database;

  beforeEach(async () => {
    area = createTestArea(kind);
    db = await connections.open(area, { cache: new PageCache() });
    await db.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);
      INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 600)
        SELECT i, randomblob(900) FROM c;`);
    // A page cache of 8 pages: the transactions below spill, so their journals are read back.
    await db.exec('PRAGMA cache_size = 8');
  });
  afterEach(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  it('ROLLBACK restores every page of a transaction larger than the page cache', async () => {
    const before = await db.query('SELECT id, v FROM t ORDER BY id');
    await db.exec('BEGIN');
    await db.exec('UPDATE t SET v = randomblob(1000)');
    await db.exec('DELETE FROM t WHERE id % 3 = 0');
    await db.exec('ROLLBACK');
    expect(await db.query('SELECT id, v FROM t ORDER BY id')).toEqual(before);
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('the journal keeps no page image: ROLLBACK reads them back from the pinned commit', async () => {
    await db.exec('BEGIN');
    await db.exec('UPDATE t SET v = randomblob(1000)');
    const { cacheHits, cacheMisses } = db.stats().volume;
    await db.exec('ROLLBACK');
    const after = db.stats().volume;
    // Some 150 pages were journaled; each comes back from the page cache or one GET.
    expect(after.cacheHits + after.cacheMisses - cacheHits - cacheMisses).toBeGreaterThan(100);
  });

  it('ROLLBACK TO a savepoint restores the pages changed after it', async () => {
    await db.exec('BEGIN');
    await db.exec("UPDATE t SET v = x'01' WHERE id <= 300");
    const middle = await db.query('SELECT id, v FROM t ORDER BY id');
    await db.exec('SAVEPOINT s');
    await db.exec('UPDATE t SET v = randomblob(1200)');
    await db.exec('ROLLBACK TO s');
    await db.exec('COMMIT');
    expect(await db.query('SELECT id, v FROM t ORDER BY id')).toEqual(middle);
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database } from '../../src/db/index.js';
import { PageCache } from '../../src/volume/index.js';
import { createTestArea, STORE_KINDS, type StoreKind, type TestArea } from '../support/stores.js';
import { Connections } from '../support/connections.js';

const PAGE_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
const JOURNAL_MODES = ['DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'OFF'];
const ROWS = 300;

/** On S3 every page size runs with DELETE, every journal mode with two page sizes. */
function cases(kind: StoreKind): Array<[number, string]> {
  const all = PAGE_SIZES.flatMap((size) =>
    JOURNAL_MODES.map((mode): [number, string] => [size, mode]),
  );
  if (kind !== 's3') return all;
  return all.filter(([size, mode]) => mode === 'DELETE' || size === 1024 || size === 65536);
}

describe.each(STORE_KINDS)('page size × journal mode: %s', (kind) => {
  let area: TestArea;
  const connections = new Connections();
  /** A connection with a cache of its own, so that it reads what the store holds. */
  const connect = async (journalMode: string): Promise<Database> => {
    const db = await connections.open(area, { cache: new PageCache() });
    await db.exec(`PRAGMA journal_mode=${journalMode}`);
    return db;
  };
  const check = async (db: Database, pageSize: number): Promise<void> => {
    expect(await db.queryOne('PRAGMA page_size')).toEqual({ page_size: pageSize });
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(await db.queryOne('SELECT count(*) AS n, sum(n) AS total FROM items')).toEqual({
      n: ROWS,
      total: (ROWS * (ROWS + 1)) / 2,
    });
    expect(await db.queryOne('SELECT name, length(data) AS len FROM items WHERE n = 150')).toEqual({
      name: 'item 150 ' + 'x'.repeat(150 % 40),
      len: 150,
    });
  };

  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  it.each(cases(kind))('page_size=%i, journal_mode=%s', async (pageSize, journalMode) => {
    const db = await connect(journalMode);
    await db.exec(
      `PRAGMA page_size=${pageSize};
       CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER, data BLOB);
       CREATE INDEX items_name ON items(name);`,
    );
    await db.transaction(async () => {
      const insert = await db.prepare(
        'INSERT INTO items(name, n, data) VALUES (?, ?, randomblob(?))',
      );
      for (let n = 1; n <= ROWS; n++) await insert.run([`item ${n} ${'x'.repeat(n % 40)}`, n, n]);
      await insert.finalize();
    });
    await check(db, pageSize);

    const again = await connect(journalMode);
    await check(again, pageSize);
    await again.exec('DELETE FROM items WHERE n % 3 = 0; VACUUM');
    await again.exec(
      `INSERT INTO items(name, n, data) SELECT name || '!', n, data FROM items WHERE n % 3 = 1`,
    );
    await again.exec(`DELETE FROM items WHERE name LIKE '%!'`);
    await again.exec(
      `INSERT INTO items(name, n, data) WITH RECURSIVE c(n) AS (SELECT 3 UNION ALL SELECT n + 3 FROM c WHERE n < ${ROWS})
       SELECT 'item ' || n || ' ' || substr('${'x'.repeat(40)}', 1, n % 40), n, randomblob(n) FROM c`,
    );
    await again.exec('VACUUM');
    await check(again, pageSize);
    await check(await connect(journalMode), pageSize);
  });
});

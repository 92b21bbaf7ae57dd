import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, PageCache, type Database } from '../../src/index.js';
import { createTestArea, s3Options, type TestArea } from '../support/stores.js';
import { Connections } from '../support/connections.js';
import { concatenatedBlocks, storedBlocks } from './blocks-helpers.js';
import { scratchDir } from './local-files.js';
import { runOnLocalFile } from './local-sqlite.js';

const BLOCK_SIZES = [4095, 4096, 4097, 65536];
const PAGE_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
const JOURNAL_MODES = ['DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'OFF'];
const ROWS = 150;

/**
 * Every block size with every page size (32 cases), the journal modes taking turns so that
 * each block size meets all five and each page size four.
 */
const CASES = PAGE_SIZES.flatMap((pageSize, p) =>
  BLOCK_SIZES.map((blockSize, b): [number, number, string] => [
    blockSize,
    pageSize,
    JOURNAL_MODES[(p + b) % JOURNAL_MODES.length] as string,
  ]),
);

/**
 * The same statements for the blocks layout and the local file, in three transactions; no
 * randomness in them. A small page cache makes the first one spill: pages are written
 * before COMMIT.
 */
function scripts(pageSize: number, journalMode: string): string[] {
  return [
    `PRAGMA page_size=${pageSize}; PRAGMA journal_mode=${journalMode}; PRAGMA cache_size=8;
     BEGIN;
     CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER, data BLOB);
     CREATE INDEX items_name ON items(name);
     INSERT INTO items(name, n, data)
       WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ${ROWS})
       SELECT 'item ' || n || ' ' || substr('${'x'.repeat(40)}', 1, n % 40), n,
              CAST(printf('%0*d', n, n) AS BLOB) FROM c;
     COMMIT`,
    `BEGIN;
     DELETE FROM items WHERE n % 3 = 0;
     UPDATE items SET name = name || '!', data = data || data WHERE n % 5 = 0;
     INSERT INTO items(name, n) VALUES ('last', 0);
     COMMIT`,
    'VACUUM',
  ];
}

const scratch = scratchDir();
afterAll(() => scratch.remove());

describe('blocks layout (sqlite-s3vfs) on S3', () => {
  let area: TestArea;
  const connections = new Connections();
  const connect = async (file: string, blockSize: number): Promise<Database> => {
    return connections.open(
      { store: area.store, prefix: file },
      { layout: 'blocks', blockSize, singleWriter: true, cache: new PageCache() },
    );
  };
  const check = async (db: Database, pageSize: number): Promise<void> => {
    expect(await db.queryOne('PRAGMA page_size')).toEqual({ page_size: pageSize });
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(await db.queryOne('SELECT count(*) AS n, sum(n) AS total FROM items')).toEqual({
      n: ROWS - ROWS / 3 + 1,
      total: (ROWS * (ROWS + 1)) / 2 - (3 * (ROWS / 3) * (ROWS / 3 + 1)) / 2,
    });
  };

  beforeEach(() => {
    area = createTestArea('s3');
  });
  afterEach(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  it.each(CASES)(
    'block size %i, page size %i, journal_mode=%s: the blocks are the local file, byte for byte',
    async (blockSize, pageSize, journalMode) => {
      const file = `${area.prefix}db.sqlite`;
      const db = await connect(file, blockSize);
      for (const script of scripts(pageSize, journalMode)) await db.exec(script);
      expect(db.layout).toBe('blocks');
      await check(db, pageSize);

      const local = await runOnLocalFile(
        scratch.dir,
        `${blockSize}-${pageSize}-${journalMode}.sqlite`,
        scripts(pageSize, journalMode),
      );
      expect((await concatenatedBlocks(area.store, file)).equals(local)).toBe(true);
      // sqlite-s3vfs's rules: 10-digit keys, every block full but the last, so that even
      // the sum of the objects' sizes is the file's size.
      const blocks = await storedBlocks(area.store, file);
      expect(blocks.map((b) => b.key)).toEqual(
        blocks.map((_, i) => `${file}/${String(i).padStart(10, '0')}`),
      );
      expect(blocks.slice(0, -1).every((b) => b.size === blockSize)).toBe(true);
      expect(blocks.reduce((sum, b) => sum + b.size, 0)).toBe(local.byteLength);

      // A second connection reads it all from the store.
      await db.close();
      await check(await connect(file, blockSize), pageSize);
    },
  );

  it('shares the database between connections of one process: locks, and fresh reads', async () => {
    const file = `${area.prefix}shared.sqlite`;
    const { bucket, ...s3 } = s3Options();
    const writer = await connections.open(`s3vfs://${bucket}/${file}`, { s3, singleWriter: true });
    expect(writer.layout).toBe('blocks');
    await writer.exec('CREATE TABLE t(n); INSERT INTO t VALUES (1)');
    const reader = await connect(file, 4096);
    await reader.exec('BEGIN');
    expect(await reader.queryOne('SELECT sum(n) AS s FROM t')).toEqual({ s: 1 });
    // The writer's commit waits (re-runs on SQLITE_BUSY) until the reader's transaction ends.
    const writing = writer.run('INSERT INTO t VALUES (2)');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await reader.queryOne('SELECT sum(n) AS s FROM t')).toEqual({ s: 1 });
    await reader.exec('COMMIT');
    await writing;
    expect(await reader.queryOne('SELECT sum(n) AS s FROM t')).toEqual({ s: 3 });
  });

  it('refuses garbage collection, which only the s3lite format has, with a typed error', async () => {
    const db = await connect(`${area.prefix}gc.sqlite`, 4096);
    await db.exec('CREATE TABLE t(n)');
    const refusal = db.gc({ dryRun: true });
    await expect(refusal).rejects.toThrow(InvalidArgumentError);
    await expect(refusal).rejects.toThrow(
      /is in the blocks layout: garbage collection is for the s3lite format/,
    );
  });
});

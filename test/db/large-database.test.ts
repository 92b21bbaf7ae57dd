import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, type Database } from '../../src/db/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { PageCache } from '../../src/volume/index.js';

/*
 * A database larger than 1 GiB: SQLite never uses the page holding bytes 2^30 .. 2^30 + 511
 * (the lock-byte page), so page numbering, page maps and the file size all have to cope with
 * a hole there, and offsets pass 2^30.
 *
 * MemoryStore only: crossing 1 GiB means writing about 1.2 GB as ~18,000 page objects, which
 * on the shared CI server would be minutes of PUTs and over a gigabyte of the S3 server's
 * disk (or of temporary files for FileStore). What this tests — offsets and page numbers
 * past the lock-byte page — lives in the volume and the VFS, the same for every store; the
 * stores' own handling of many objects is covered by their conformance suite.
 */

const PAGE_SIZE = 65536;
const GIB = 2 ** 30;
/** Stop adding rows once the file is larger than this. */
const TARGET_BYTES = 1.05 * GIB;
/** The page SQLite leaves unused: it holds the lock bytes at offset 2^30. */
const LOCK_BYTE_PAGE = GIB / PAGE_SIZE + 1;
const ROW_BYTES = 1 << 20;
const ROWS_PER_TRANSACTION = 280;

/** Row `id`'s blob: `base` rotated by an amount that depends on `id`, with `id` up front. */
function rowBlob(base: Uint8Array, id: number): Uint8Array {
  const shift = (id * 7919) % base.byteLength;
  const blob = new Uint8Array(base.byteLength);
  blob.set(base.subarray(shift));
  blob.set(base.subarray(0, shift), base.byteLength - shift);
  new DataView(blob.buffer).setUint32(0, id);
  return blob;
}

describe('a database larger than 1 GiB (MemoryStore)', () => {
  it(
    'crosses the lock-byte page at 1 GiB, passes integrity_check and reads back every row',
    { timeout: 300_000 },
    async ({ annotate }) => {
      const started = performance.now();
      let peakRss = process.memoryUsage().rss;
      const sampleRss = (): void => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      };
      const store = new MemoryStore();
      const location = { store, prefix: 'large' };
      const base = randomBytes(ROW_BYTES);
      const fileBytes = async (db: Database): Promise<number> => {
        const row = await db.queryOne<{ page_count: number }>('PRAGMA page_count');
        if (row === undefined) throw new Error('PRAGMA page_count returned no row');
        return row.page_count * PAGE_SIZE;
      };
      const checkAll = async (db: Database, rows: number): Promise<void> => {
        expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
        sampleRss();
        const stmt = await db.prepare<{ b: Uint8Array }>('SELECT b FROM t WHERE id = ?');
        try {
          for (let id = 1; id <= rows; id++) {
            const row = await stmt.get([id]);
            // toEqual on a 1 MiB array is slow and its failure message huge: compare bytes.
            if (!row || Buffer.compare(row.b, rowBlob(base, id)) !== 0) {
              expect.fail(`row ${id} does not read back as written`);
            }
          }
        } finally {
          await stmt.finalize();
        }
        sampleRss();
      };

      const db = await open(location, { cache: new PageCache() });
      let rows = 0;
      try {
        await db.exec(`PRAGMA page_size = ${PAGE_SIZE}`);
        await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB NOT NULL)');
        while ((await fileBytes(db)) <= TARGET_BYTES) {
          // 4 transactions should do (1120 MiB of blobs); a runaway loop would eat the machine.
          if (rows >= 8 * ROWS_PER_TRANSACTION) expect.fail(`still <= 1.05 GiB after ${rows} rows`);
          await db.transaction(async (tx) => {
            for (let i = 1; i <= ROWS_PER_TRANSACTION; i++) {
              await tx.run('INSERT INTO t(id, b) VALUES (?, ?)', [
                rows + i,
                rowBlob(base, rows + i),
              ]);
            }
          });
          rows += ROWS_PER_TRANSACTION;
          sampleRss();
        }
        const size = await fileBytes(db);
        expect(size).toBeGreaterThan(TARGET_BYTES);
        expect(db.stats().snapshot.pageCount * PAGE_SIZE).toBe(size);
        await checkAll(db, rows);
      } finally {
        await db.close();
      }
      const built = performance.now();

      // Pages on both sides of the lock-byte page are stored; the lock-byte page is not.
      const stored = new Set<number>();
      for await (const object of store.listAll('large/pages/')) {
        stored.add(Number(/\/(\d+)-[0-9a-f]{8}$/.exec(object.key)?.[1]));
      }
      expect(stored.has(LOCK_BYTE_PAGE - 1)).toBe(true);
      expect(stored.has(LOCK_BYTE_PAGE)).toBe(false);
      expect(stored.has(LOCK_BYTE_PAGE + 1)).toBe(true);

      // A second connection with a cold cache sees the same database.
      const again = await open(location, { cache: new PageCache() });
      try {
        expect(await again.queryOne('SELECT count(*) AS n, max(id) AS m FROM t')).toEqual({
          n: rows,
          m: rows,
        });
        await checkAll(again, rows);
      } finally {
        await again.close();
      }
      await store.close();

      const seconds = (ms: number): string => (ms / 1000).toFixed(1);
      await annotate(
        `${rows} rows, write+check ${seconds(built - started)} s, reopen+check ` +
          `${seconds(performance.now() - built)} s, peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`,
      );
    },
  );
});

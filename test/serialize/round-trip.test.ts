import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  exportDatabase,
  exportToFile,
  exportToObject,
  exportToReadable,
  exportToWebStream,
  importDatabase,
  importFromFile,
  importFromObject,
  open,
  PageCache,
  type Progress,
} from '../../src/index.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const PAGE_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
const work = mkdtempSync(path.join(tmpdir(), 's3lite-serialize-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Debian's sqlite3 command: an SQLite that has nothing to do with s3lite. */
function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
}

let counter = 0;
function localDatabase(pageSize: number, rows = 400): string {
  const file = path.join(work, `db-${pageSize}-${(counter += 1)}.sqlite`);
  sqlite3(
    file,
    `PRAGMA page_size=${pageSize};
     CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v BLOB);
     CREATE INDEX t_name ON t(name);
     INSERT INTO t(name, v) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${rows})
       SELECT 'row ' || i, randomblob(i % 700) FROM c;
     DELETE FROM t WHERE id % 7 = 0;`,
  );
  return file;
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

describe.each(STORE_KINDS)('import and export: %s', (kind) => {
  let area: TestArea;
  let target: { store: TestArea['store']; prefix: string };
  beforeEach(() => {
    area = createTestArea(kind);
    target = { store: area.store, prefix: `${area.prefix}db` };
  });
  afterEach(() => area.cleanup());

  const pageSizes = kind === 's3' ? [512, 4096, 65536] : PAGE_SIZES;
  it.each(pageSizes)(
    'round-trips a file made by sqlite3 byte for byte, page size %i, and the same after changes',
    async (pageSize) => {
      const original = localDatabase(pageSize);
      const summary = await importFromFile(original, target);
      expect(summary).toMatchObject({ commit: 1, bytes: readFileSync(original).byteLength });

      const db = await open(target, { cache: new PageCache() });
      expect(await db.queryOne('SELECT count(*) AS n FROM t')).toEqual({
        n: Number(sqlite3(original, 'SELECT count(*) FROM t')),
      });
      expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);

      const exported = path.join(work, `out-${pageSize}-${kind}.sqlite`);
      await exportToFile(target, exported);
      expect(readFileSync(exported).equals(readFileSync(original))).toBe(true);
      expect(sqlite3(exported, 'PRAGMA integrity_check')).toBe('ok');

      // The same statements on s3lite and on a local copy give the same database. Not the
      // same bytes: free space inside pages differs between SQLite releases (Debian's 3.40
      // and wa-sqlite's 3.53 leave different leftovers where cells were deleted).
      const changes = `UPDATE t SET name = name || '!' WHERE id % 3 = 0; DELETE FROM t WHERE id % 5 = 0;
        INSERT INTO t(name, v) VALUES ('new', x'00ff00ff')`;
      const local = path.join(work, `local-${pageSize}-${kind}.sqlite`);
      copyFileSync(original, local);
      sqlite3(local, changes);
      await db.exec(changes);
      await db.close();
      const changed = path.join(work, `changed-${pageSize}-${kind}.sqlite`);
      await exportToFile(target, changed);
      expect(sqlite3(changed, 'PRAGMA integrity_check')).toBe('ok');
      expect(sqlite3(changed, '.dump')).toBe(sqlite3(local, '.dump'));
      const shape = 'SELECT * FROM pragma_page_count, pragma_freelist_count, pragma_page_size';
      expect(sqlite3(changed, shape)).toBe(sqlite3(local, shape));
    },
  );

  it('streams as an async iterable, a Node Readable and a web ReadableStream, with progress', async () => {
    const original = readFileSync(localDatabase(4096));
    const seen: Progress[] = [];
    await importDatabase(
      Readable.from([original.subarray(0, 5000), original.subarray(5000)]),
      target,
      {
        onProgress: (p) => seen.push(p),
        size: original.byteLength,
      },
    );
    expect(seen.at(-1)).toMatchObject({
      bytesDone: original.byteLength,
      bytesTotal: original.byteLength,
      pagesDone: original.byteLength / 4096,
    });
    expect((await collect(exportToReadable(target))).equals(original)).toBe(true);
    expect((await collect(exportToWebStream(target))).equals(original)).toBe(true);
    const progress: Progress[] = [];
    const exported = exportDatabase(target, {
      concurrency: 3,
      onProgress: (p) => progress.push(p),
    });
    expect((await collect(exported)).equals(original)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ pagesDone: progress.at(-1)?.pagesTotal });
    expect((await exported.summary).requests.list).toBe(0);
  });

  it('reports import progress page by page as pages are stored, over several buffer flushes', async () => {
    const original = readFileSync(localDatabase(4096, 1200));
    const pages = original.byteLength / 4096;
    // 16 pages a flush: the file takes several.
    const bufferBytes = 65536;
    expect(pages).toBeGreaterThan(3 * 16);
    const zeroPages = Array.from({ length: pages }, (_, i) =>
      original.subarray(i * 4096, (i + 1) * 4096).every((byte) => byte === 0),
    ).filter(Boolean).length;
    const puts = () => area.store.metrics.snapshot().requests.put;
    const before = puts();
    const seen: Array<Progress & { puts: number }> = [];
    await importDatabase(original, target, {
      bufferBytes,
      size: original.byteLength,
      onProgress: (p) => seen.push({ ...p, puts: puts() - before }),
    });
    // One step per page, each one page further, up to the total.
    expect(seen.map((p) => p.pagesDone)).toEqual(Array.from({ length: pages }, (_, i) => i + 1));
    expect(seen.map((p) => p.bytesDone)).toEqual(seen.map((p) => p.pagesDone * 4096));
    expect(seen.at(-1)).toMatchObject({
      bytesDone: original.byteLength,
      bytesTotal: original.byteLength,
      pagesTotal: pages,
    });
    // A page counts once it is stored (or skipped, as zeros), not when it enters the buffer.
    for (const p of seen) expect(p.puts + zeroPages).toBeGreaterThanOrEqual(p.pagesDone);
  });

  it('exports an earlier commit, and refuses to import over a database unless told to', async () => {
    const first = readFileSync(localDatabase(1024, 100));
    const second = readFileSync(localDatabase(2048, 300));
    await importDatabase(first, target);
    const refused = await importDatabase(second, target).catch((e: { code: string }) => e);
    expect(refused).toMatchObject({ code: 'DATABASE_EXISTS' });
    const reader = await open(target, { cache: new PageCache() });
    await reader.exec('BEGIN');
    const before = await reader.queryOne('SELECT count(*) AS n FROM t');
    await importDatabase(second, target, { overwrite: true });
    // A reader pinned to the old commit is not disturbed by the overwrite.
    expect(await reader.queryOne('SELECT count(*) AS n FROM t')).toEqual(before);
    await reader.exec('COMMIT');
    expect((await collect(exportDatabase(target))).equals(second)).toBe(true);
    expect((await collect(exportDatabase(target, { at: 1 }))).equals(first)).toBe(true);
    await reader.close();
  });

  it('stores a WAL-mode file in rollback mode', async () => {
    const file = localDatabase(4096);
    sqlite3(file, 'PRAGMA journal_mode=WAL; INSERT INTO t(name) VALUES (1); PRAGMA wal_checkpoint');
    const bytes = readFileSync(file);
    expect([bytes[18], bytes[19]]).toEqual([2, 2]);
    await importFromFile(file, target);
    const db = await open(target);
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    await db.close();
    const exported = await collect(exportDatabase(target));
    const rollback = Buffer.from(bytes);
    rollback[18] = 1;
    rollback[19] = 1;
    expect(exported.equals(rollback)).toBe(true);
  });
});

describe('import from and export to a single S3 object', () => {
  it('moves a database larger than one multipart part through one object', async () => {
    const area = createTestArea('s3');
    try {
      const file = path.join(work, 'large.sqlite');
      sqlite3(
        file,
        `PRAGMA page_size=65536; CREATE TABLE t(v BLOB);
         INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 180)
           SELECT randomblob(65536) FROM c`,
      );
      const original = readFileSync(file);
      expect(original.byteLength).toBeGreaterThan(9 * 1024 * 1024);
      await importFromFile(file, { store: area.store, prefix: `${area.prefix}a` });
      const object = { store: area.store, key: `${area.prefix}copy.sqlite` };
      await exportToObject({ store: area.store, prefix: `${area.prefix}a` }, object);
      expect((await area.store.head(object.key)).size).toBe(original.byteLength);
      await importFromObject(object, { store: area.store, prefix: `${area.prefix}b` });
      const copy = await collect(exportDatabase({ store: area.store, prefix: `${area.prefix}b` }));
      expect(copy.equals(original)).toBe(true);
    } finally {
      await area.cleanup();
    }
  });
});

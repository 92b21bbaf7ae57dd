import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open, type Database } from '../../src/db/index.js';
import { ClosedError, ConflictError, InvalidArgumentError, SqliteError } from '../../src/errors.js';
import { PageCache } from '../../src/volume/index.js';
import { failure } from '../support/failure.js';
import { createTestArea, s3Options, STORE_KINDS, type TestArea } from '../support/stores.js';
import { Connections } from '../support/connections.js';

describe.each(STORE_KINDS)('Database: %s', (kind) => {
  let area: TestArea;
  const connections = new Connections();
  const connect = async (options = {}): Promise<Database> => {
    return connections.open(area, { cache: new PageCache(), ...options });
  };

  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  it('creates the database at its first write, not at open or read', async () => {
    const db = await connect();
    expect(await db.query('SELECT name FROM sqlite_schema')).toEqual([]);
    const keys = async (): Promise<number> => {
      let n = 0;
      for await (const object of area.store.listAll(area.prefix)) if (object.key) n++;
      return n;
    };
    expect(await keys()).toBe(0);
    await db.exec('CREATE TABLE t(x)');
    expect(await keys()).toBeGreaterThan(0);
    expect(db.stats().snapshot.seq).toBe(1);
  });

  it('returns typed values and binds typed parameters', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE v(i INTEGER, r REAL, s TEXT, b BLOB, n)');
    const big = 2n ** 62n + 5n;
    const blob = new Uint8Array([0, 1, 2, 255]);
    await db.run('INSERT INTO v VALUES (?, ?, ?, ?, ?)', [42, 1.5, 'héllo ✓', blob, null]);
    await db.run('INSERT INTO v VALUES (?, ?, ?, ?, ?)', [big, -0.25, '', new Uint8Array(0), true]);
    await db.run('INSERT INTO v VALUES (?, ?, ?, ?, ?)', [2 ** 40, 2 ** 60, 'x', null, false]);
    await db.run('INSERT INTO v VALUES (?, ?, ?, ?, ?)', [
      7n,
      Number.MAX_SAFE_INTEGER,
      'y',
      null,
      -1,
    ]);
    expect(await db.query('SELECT * FROM v')).toEqual([
      { i: 42, r: 1.5, s: 'héllo ✓', b: blob, n: null },
      { i: big, r: -0.25, s: '', b: null, n: 1 },
      { i: 2 ** 40, r: 2 ** 60, s: 'x', b: null, n: 0 },
      { i: 7, r: Number.MAX_SAFE_INTEGER, s: 'y', b: null, n: -1 },
    ]);
    expect(await db.queryOne('SELECT typeof(i) t, typeof(r) tr FROM v WHERE s = ?', ['x'])).toEqual(
      {
        t: 'integer',
        tr: 'real',
      },
    );
    expect(await db.queryOne('SELECT ? + 1 AS n', [Number.MAX_SAFE_INTEGER])).toEqual({
      n: 2n ** 53n,
    });
  });

  it('keeps text with U+0000 whole, in parameters and in results', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(s TEXT PRIMARY KEY)');
    const text = 'a\u0000b\u0000𝄞';
    await db.run('INSERT INTO t VALUES (?), (?)', [text, 'a']);
    expect(
      await db.queryOne('SELECT s, length(CAST(s AS BLOB)) AS n FROM t WHERE s = ?', [text]),
    ).toEqual({ s: text, n: 8 });
    expect(await db.queryOne("SELECT 'x' || char(0) || 'y' AS s")).toEqual({ s: 'x\u0000y' });
    expect(await db.query('SELECT s FROM t ORDER BY s')).toEqual([{ s: 'a' }, { s: text }]);
  });

  it('binds named parameters with or without their prefix, and checks every one', async () => {
    const db = await connect();
    expect(
      await db.queryOne('SELECT :a AS a, @b AS b, $c AS c', { a: 1, '@b': 'two', c: null }),
    ).toEqual({
      a: 1,
      b: 'two',
      c: null,
    });
    expect(await failure(db.query('SELECT :a, :b', { a: 1 }))).toBeInstanceOf(InvalidArgumentError);
    expect(await failure(db.query('SELECT ?, ?', [1]))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await failure(db.query('SELECT ?', [undefined as never]))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/#1 has unsupported type undefined/),
    });
    expect(await failure(db.query('SELECT ?', [2n ** 64n]))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await failure(db.query('SELECT ?', { a: 1 }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('reports changes and the last rowid, as a bigint beyond 2^53', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, x)');
    expect(await db.run('INSERT INTO t(x) VALUES (1), (2)')).toEqual({
      changes: 2,
      lastInsertRowid: 2,
    });
    expect(await db.run('UPDATE t SET x = x + 1')).toMatchObject({ changes: 2 });
    const id = 2n ** 60n;
    expect(await db.run('INSERT INTO t VALUES (?, 3)', [id])).toEqual({
      changes: 1,
      lastInsertRowid: id,
    });
    expect(await db.queryOne('SELECT x FROM t WHERE id = -1')).toBeUndefined();
  });

  it('prepares statements that run many times, iterate, and finalize', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(n INTEGER)');
    const insert = await db.prepare('INSERT INTO t VALUES (?)');
    for (let n = 1; n <= 5; n++) expect((await insert.run([n])).changes).toBe(1);
    await insert.finalize();
    await insert.finalize();
    expect(await failure(insert.run([6]))).toBeInstanceOf(ClosedError);

    const select = await db.prepare<{ n: number }>('SELECT n FROM t WHERE n >= ? ORDER BY n');
    expect(await select.all([4])).toEqual([{ n: 4 }, { n: 5 }]);
    expect(await select.get([2])).toEqual({ n: 2 });
    const seen: number[] = [];
    for await (const row of select.iterate([1])) seen.push(row.n);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    for await (const row of select.iterate([1])) {
      expect(await failure(select.all([1]))).toMatchObject({ code: 'INVALID_ARGUMENT' });
      if (row.n === 2) break;
    }
    // Leaving the loop early released the statement's read: writes go on.
    await db.run('INSERT INTO t VALUES (6)');
    expect(await select.all([6])).toEqual([{ n: 6 }]);
    await select.finalize();

    expect(await failure(db.prepare('SELECT 1; SELECT 2'))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await failure(db.prepare('  -- nothing'))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('throws SqliteError with SQLite’s message, its code and the statement', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY)');
    const missing = await failure(db.query('SELECT * FROM nope WHERE 1'));
    expect(missing).toBeInstanceOf(SqliteError);
    expect(missing).toMatchObject({
      code: 'SQLITE_ERROR',
      sqliteCode: 1,
      sql: 'SELECT * FROM nope WHERE 1',
      message: expect.stringContaining('no such table: nope'),
    });
    await db.run('INSERT INTO t VALUES (1)');
    expect(await failure(db.run('INSERT INTO t VALUES (1)'))).toMatchObject({
      code: 'SQLITE_ERROR',
      sqliteCode: 1555, // SQLITE_CONSTRAINT_PRIMARYKEY: an extended result code
      message: expect.stringContaining('UNIQUE constraint failed: t.id'),
    });
    const script = await failure(db.exec('INSERT INTO t VALUES (2);\nINSERT INTO t VALUES (1);'));
    expect(script).toMatchObject({ sql: '\nINSERT INTO t VALUES (1);' });
    expect(await db.query('SELECT id FROM t')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await failure(db.exec('SELEC 1'))).toMatchObject({
      message: expect.stringContaining('near "SELEC": syntax error'),
    });
  });

  it('returns the columns and rows of each statement of a script()', async () => {
    const db = await connect();
    const results = await db.script(
      "CREATE TABLE s(a, b); INSERT INTO s VALUES (1, 'x'), (2, 'y');" +
        ' SELECT a, b FROM s ORDER BY a; SELECT count(*) AS n FROM s WHERE a > 5',
    );
    expect(results.map((r) => [r.columns, r.rows])).toEqual([
      [[], []],
      [[], []],
      [
        ['a', 'b'],
        [
          { a: 1, b: 'x' },
          { a: 2, b: 'y' },
        ],
      ],
      [['n'], [{ n: 0 }]],
    ]);
    expect(results[2]?.sql).toBe(' SELECT a, b FROM s ORDER BY a;');
  });

  it('lets a running transaction finish when closed meanwhile', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(x)');
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    const transaction = db.transaction(async (tx) => {
      inside();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await tx.run('INSERT INTO t VALUES (1)');
      return 'done';
    });
    await started;
    const closing = db.close();
    expect(await transaction).toBe('done');
    await closing;
    expect(await (await connect()).query('SELECT x FROM t')).toEqual([{ x: 1 }]);
  });

  it('rolls back a transaction whose function throws: no commit, no change', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(x)');
    const commits = db.stats().volume.commits;
    const error = new Error('changed my mind');
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t VALUES (1)');
        throw error;
      }),
    ).rejects.toBe(error);
    await db.exec('BEGIN; INSERT INTO t VALUES (2); ROLLBACK');
    expect(await db.query('SELECT * FROM t')).toEqual([]);
    expect(db.stats().volume.commits).toBe(commits);
    expect(
      await db.transaction(async (tx) => (await tx.run('INSERT INTO t VALUES (3)')).changes),
    ).toBe(1);
    expect(db.stats().volume.commits).toBe(commits + 1);
    expect(await failure(db.transaction(() => db.transaction(async () => 1)))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('commits a transaction that spills the page cache as exactly one commit', async () => {
    const db = await connect();
    await db.exec('PRAGMA cache_size=10; CREATE TABLE t(b BLOB)');
    const before = db.stats();
    await db.transaction(async (tx) => {
      const insert = await tx.prepare('INSERT INTO t VALUES (randomblob(1000))');
      for (let i = 0; i < 400; i++) await insert.run();
      await insert.finalize();
    });
    const after = db.stats();
    expect(after.volume.commits).toBe(before.volume.commits + 1);
    expect(after.snapshot.seq).toBe(before.snapshot.seq + 1);
    expect(await (await connect()).queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 400 });
  });

  it('changes the page size with PRAGMA page_size and VACUUM', async () => {
    const db = await connect();
    await db.exec(
      `CREATE TABLE t(b BLOB); INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200) SELECT randomblob(300) FROM c`,
    );
    for (const pageSize of [1024, 16384, 512, 4096]) {
      await db.exec(`PRAGMA page_size=${pageSize}; VACUUM`);
      // The commit stores the new layout at once: the next write need not rewrite every page.
      expect(db.stats().snapshot.pageSize).toBe(pageSize);
      const other = await connect();
      expect(await other.queryOne('PRAGMA page_size')).toEqual({ page_size: pageSize });
      expect(await other.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(await other.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 200 });
      await other.exec('INSERT INTO t VALUES (1); DELETE FROM t WHERE b = 1');
    }
  });

  it('answers WAL requests with the rollback mode in use', async () => {
    const db = await connect();
    expect(await db.queryOne('PRAGMA journal_mode=WAL')).toEqual({ journal_mode: 'delete' });
    await db.exec('PRAGMA journal_mode=PERSIST');
    expect(await db.queryOne('PRAGMA journal_mode=wal')).toEqual({ journal_mode: 'persist' });
    expect(await failure(db.exec('PRAGMA locking_mode=EXCLUSIVE'))).toMatchObject({
      code: 'SQLITE_ERROR',
      message: expect.stringContaining('locking_mode=EXCLUSIVE'),
    });
  });

  it('refuses writes on a read-only connection with READ_ONLY', async () => {
    const writer = await connect();
    await writer.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    const reader = await connect({ readOnly: true });
    expect(await reader.query('SELECT x FROM t')).toEqual([{ x: 1 }]);
    expect(await failure(reader.run('INSERT INTO t VALUES (2)'))).toMatchObject({
      code: 'READ_ONLY',
    });
  });

  it('counts requests, cache hits and misses, and commits', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    const stats = db.stats();
    expect(stats.volume.commits).toBe(2);
    expect(stats.store.requests.put).toBeGreaterThan(0);
    expect(stats.store.totalRequests).toBeGreaterThanOrEqual(stats.store.requests.put);
    const reader = await connect();
    await reader.query('SELECT * FROM t');
    expect(reader.stats().volume.cacheMisses).toBeGreaterThan(0);
    expect(reader.stats().volume.cacheHits).toBeGreaterThan(0);
  });

  it('fails with CLOSED after close, and closes twice quietly', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(x)');
    const statement = await db.prepare('SELECT * FROM t');
    const rows = db.query('SELECT * FROM t');
    await db.close();
    await db.close();
    expect(await rows).toEqual([]);
    expect(db.closed).toBe(true);
    for (const attempt of [
      db.exec('SELECT 1'),
      db.query('SELECT 1'),
      db.queryOne('SELECT 1'),
      db.run('SELECT 1'),
      db.prepare('SELECT 1'),
      db.transaction(async () => 1),
      statement.all(),
    ]) {
      const error = await failure(attempt);
      expect(error).toBeInstanceOf(ClosedError);
      expect(error.code).toBe('CLOSED');
    }
  });
});

describe('open()', () => {
  it('opens memory:// and file:// URLs, and an s3:// URL with settings', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 's3lite-db-'));
    const s3 = s3Options();
    const prefix = `url-${Math.random().toString(36).slice(2, 10)}`;
    const urls = [
      `memory://db-test/${prefix}`,
      pathToFileURL(path.join(dir, prefix)).href,
      `s3://${s3.bucket}/${prefix}`,
    ];
    try {
      for (const url of urls) {
        const options = {
          s3: { endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials },
        };
        const db = await open(url, options);
        await db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (?1)'.replace('?1', "'hi'"));
        await db.close();
        const again = await open(url, options);
        expect(await again.query('SELECT x FROM t')).toEqual([{ x: 'hi' }]);
        await again.exec('DROP TABLE t');
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a malformed location or option with INVALID_ARGUMENT', async () => {
    expect(await failure(open('ftp://x/y'))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await failure(open('memory://x/y', { maxRetries: -1 }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('keeps ConflictError for lost races, distinct from SQL errors', () => {
    expect(new ConflictError('x').code).toBe('CONFLICT');
  });
});

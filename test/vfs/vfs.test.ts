import * as SQLite from '@journeyapps/wa-sqlite';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, CorruptError, ReadOnlyError } from '../../src/errors.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';
import { insertRows, loadHarness, RawConnection, type Harness } from './harness.js';

const JOURNAL_MODES = ['DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'OFF'] as const;

let harness: Harness;
beforeAll(async () => {
  harness = await loadHarness();
});

describe.each(STORE_KINDS)('S3liteVfs: %s', (kind) => {
  let area: TestArea;
  const open: RawConnection[] = [];
  const connect = async (options = {}): Promise<RawConnection> => {
    const connection = await RawConnection.open(harness, area.store, area.prefix, options);
    open.push(connection);
    return connection;
  };

  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(async () => {
    for (const connection of open.splice(0)) await connection.close();
    await area.cleanup();
  });

  it('commits an ordinary transaction once, visible to a new connection', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)');
    expect(db.commits).toBe(1);
    await db.exec(`BEGIN; ${insertRows(20)}; UPDATE t SET b = zeroblob(10) WHERE id = 1; COMMIT`);
    expect(db.commits).toBe(2);
    const other = await connect();
    expect(await other.value('SELECT count(*) FROM t')).toBe(20);
  });

  describe.each(JOURNAL_MODES)('journal_mode=%s', (mode) => {
    describe.each(['FULL', 'OFF'])('synchronous=%s', (synchronous) => {
      const setUp = async (): Promise<RawConnection> => {
        const db = await connect();
        await db.exec(
          `PRAGMA journal_mode=${mode}; PRAGMA synchronous=${synchronous}; PRAGMA cache_size=10;` +
            `CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB); ${insertRows(50)}`,
        );
        return db;
      };

      it('commits a transaction that spills the page cache exactly once', async () => {
        const db = await setUp();
        const before = db.commits;
        const reader = await connect();
        await db.exec(`BEGIN; ${insertRows(300)}; COMMIT`);
        expect(db.commits).toBe(before + 1);
        expect(await reader.value('SELECT count(*) FROM t')).toBe(350);
        expect(await reader.value('PRAGMA integrity_check')).toBe('ok');
      });

      it('commits nothing for a spilled transaction that is rolled back', async () => {
        const db = await setUp();
        const before = db.commits;
        const seq = db.volume.snapshot.seq;
        await db.exec(`BEGIN; ${insertRows(300)}; DELETE FROM t WHERE id < 10`);
        // The spill wrote pages; they must stay invisible.
        const reader = await connect();
        expect(await reader.value('SELECT count(*) FROM t')).toBe(50);
        await db.exec('ROLLBACK');
        expect(db.commits).toBe(before);
        expect(db.volume.snapshot.seq).toBe(seq);
        expect(await db.value('SELECT count(*) FROM t')).toBe(50);
        expect(await db.value('PRAGMA integrity_check')).toBe('ok');
      });
    });
  });

  it.each([
    ['the batch-atomic path', ''],
    ['the journal path (spilled cache)', 'PRAGMA cache_size=10;'],
  ])(
    'answers SQLITE_BUSY when the commit loses a race on %s, then carries on',
    async (_, pragma) => {
      const a = await connect();
      await a.exec(`${pragma} CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB); ${insertRows(5)}`);
      const b = await connect();
      const before = a.volume.stats();
      await a.exec(`BEGIN IMMEDIATE; ${insertRows(300)}`);
      await b.exec(insertRows(1));
      expect(await a.failureCode('COMMIT')).toBe(SQLite.SQLITE_BUSY);
      expect(a.file.lastError).toBeInstanceOf(ConflictError);
      // SQLite keeps the transaction open after a failed COMMIT; it can never commit.
      expect(await a.failureCode('COMMIT')).toBe(SQLite.SQLITE_BUSY);
      await a.exec('ROLLBACK');
      expect(a.volume.stats()).toMatchObject({
        commits: before.commits,
        conflicts: before.conflicts + 1,
      });
      expect(await a.value('SELECT count(*) FROM t')).toBe(6);
      await a.exec(insertRows(1));
      expect(await b.value('SELECT count(*) FROM t')).toBe(7);
      expect(await b.value('PRAGMA integrity_check')).toBe('ok');
    },
  );

  it('answers SQLITE_BUSY at once when a write starts on a stale snapshot', async () => {
    const a = await connect();
    await a.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB); ${insertRows(5)}`);
    const b = await connect();
    await a.exec('BEGIN; SELECT count(*) FROM t');
    await b.exec(insertRows(1));
    expect(await a.failureCode(insertRows(1))).toBe(SQLite.SQLITE_BUSY);
    expect(a.file.lastError).toBeInstanceOf(ConflictError);
    expect(await a.value('SELECT count(*) FROM t')).toBe(5);
    await a.exec('ROLLBACK');
    expect(await a.value('SELECT count(*) FROM t')).toBe(6);
  });

  it('commits the trimmed size when VACUUM shrinks the file', async () => {
    const db = await connect();
    await db.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB); ${insertRows(200)}`);
    await db.exec('DELETE FROM t WHERE id > 10; VACUUM');
    const pages = (await db.value('PRAGMA page_count')) as number;
    expect(db.volume.snapshot.pageCount * db.volume.snapshot.pageSize).toBe(pages * 4096);
    const other = await connect();
    expect(other.volume.size).toBe(pages * 4096);
    expect(await other.value('PRAGMA integrity_check')).toBe('ok');
  });

  it('keeps rollback journaling when asked for WAL, and refuses locking_mode=EXCLUSIVE', async () => {
    const db = await connect();
    expect(await db.value('PRAGMA journal_mode=WAL')).toBe('delete');
    await db.exec('PRAGMA journal_mode=TRUNCATE');
    expect(await db.value('PRAGMA journal_mode=WAL')).toBe('truncate');
    await expect(db.exec('PRAGMA locking_mode=EXCLUSIVE')).rejects.toThrow(
      /locking_mode=EXCLUSIVE/,
    );
    expect(await db.value('PRAGMA locking_mode')).toBe('normal');
  });

  it('reports a damaged page as SQLITE_CORRUPT, keeping the error that names its key', async () => {
    const db = await connect();
    await db.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB); ${insertRows(20)}`);
    const pages: string[] = [];
    for await (const object of area.store.listAll(area.prefix)) {
      if (object.key.includes('/pages/') && !object.key.includes('/1-')) pages.push(object.key);
    }
    for (const key of pages) await area.store.put(key, new Uint8Array(4096).fill(7));
    const reader = await connect();
    expect(await reader.failureCode('SELECT sum(length(b)) FROM t')).toBe(SQLite.SQLITE_CORRUPT);
    expect(reader.file.lastError).toBeInstanceOf(CorruptError);
    expect(pages).toContain((reader.file.lastError as CorruptError).key);
  });

  it('answers SQLITE_READONLY to a write on a read-only volume, and reads', async () => {
    const db = await connect();
    await db.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB); ${insertRows(3)}`);
    const reader = await connect({ readOnly: true });
    expect(await reader.value('SELECT count(*) FROM t')).toBe(3);
    expect(await reader.failureCode(insertRows(1))).toBe(SQLite.SQLITE_READONLY);
    expect(reader.file.lastError).toBeInstanceOf(ReadOnlyError);
  });
});

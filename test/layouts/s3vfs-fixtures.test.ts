import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockKey } from '../../src/layouts/index.js';
import { PageCache, readBlocksDatabase, type Database } from '../../src/index.js';
import { createTestArea, type TestArea } from '../support/stores.js';
import { Connections } from '../support/connections.js';
import { putAsBlocks, storedBlocks } from './blocks-helpers.js';
import { localDatabase, scratchDir, tableDepth } from './local-files.js';

/*
 * Prefixes laid out by hand exactly as the Python sqlite-s3vfs lays out a database (it
 * cannot run here: no PyPI), from files made by Debian's sqlite3: 10-digit block keys, any
 * block size, the last block short (or padded, as later releases write it), and the gaps
 * SQLite leaves in files (short or missing blocks before the last).
 */

const ROWS = 1000;
const scratch = scratchDir();
afterAll(() => scratch.remove());

describe('sqlite-s3vfs prefixes on S3', () => {
  let area: TestArea;
  const connections = new Connections();
  const connect = async (file: string, options = {}): Promise<Database> => {
    return connections.open(
      { store: area.store, prefix: file },
      { cache: new PageCache(), ...options },
    );
  };
  const rows = async (db: Database) =>
    db.queryOne<{ n: number; last: string }>('SELECT count(*) AS n, max(v) AS last FROM t');
  const expected = { n: ROWS, last: String(ROWS).padStart(40, '0') };
  const local = localDatabase(scratch.dir, 'fixture.sqlite', 1024, ROWS);
  /** Deep enough for a B-tree of three levels. */
  const deep = localDatabase(scratch.dir, 'deep.sqlite', 1024, 5000);

  beforeAll(() => {
    area = createTestArea('s3');
  });
  afterAll(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  it('finds the layout of a prefix with block 0 and no marker, and reads it (read-only)', async () => {
    const file = `${area.prefix}odd/db.sqlite`;
    await putAsBlocks(area.store, file, local.bytes, 4095);
    area.store.metrics.reset();
    const db = await connect(file);
    expect(db.layout).toBe('blocks');
    // The s3lite marker, checkpoint hint and oldest-retained, the LIST that finds the prefix
    // is not empty and the marker read again (a writer creating the database meanwhile writes
    // it first); then the blocks layout's own opening (see the request counts below).
    expect(area.store.metrics.snapshot().requests).toMatchObject({ get: 5, head: 3, list: 1 });
    expect(await rows(db)).toEqual(expected);
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const refused = await db.exec('DELETE FROM t').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'READ_ONLY' });
    expect(String(refused)).toContain('singleWriter');
  });

  it('reads the padded blocks of later sqlite-s3vfs releases, and writes them as a single writer', async () => {
    const file = `${area.prefix}padded/db.sqlite`;
    await putAsBlocks(area.store, file, local.bytes, 5000, true);
    const db = await connect(file, { singleWriter: true });
    expect(await rows(db)).toEqual(expected);
    await db.exec(`DELETE FROM t WHERE id > 100; VACUUM`);
    expect(await db.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 100 });
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    // Still sqlite-s3vfs's layout: every block full but the last.
    const blocks = await storedBlocks(area.store, file);
    expect(blocks.slice(0, -1).every((b) => b.size === 5000)).toBe(true);
  });

  it('reads short and missing blocks before the last as zeros, and sizes the file by its last block', async () => {
    const file = `${area.prefix}gaps/db.sqlite`;
    // Overflow pages of a zeroblob are zeros but for their first 4 bytes: with blocks of half
    // a page, every other block is all zeros.
    const gappy = localDatabase(
      scratch.dir,
      'gaps.sqlite',
      4096,
      ROWS,
      'CREATE TABLE zeros(z BLOB); INSERT INTO zeros VALUES (zeroblob(100000))',
    );
    const blockSize = 2048;
    await putAsBlocks(area.store, file, gappy.bytes, blockSize);
    // What SQLite's gaps leave in sqlite-s3vfs: blocks cut where their bytes were never
    // written (here: where they are zeros), and blocks never written at all.
    const last = Math.ceil(gappy.bytes.byteLength / blockSize) - 1;
    let short = 0;
    let missing = 0;
    const changes: Array<Promise<unknown>> = [];
    for (let index = 0; index < last; index++) {
      const block = gappy.bytes.subarray(index * blockSize, (index + 1) * blockSize);
      let end = block.byteLength;
      while (end > 0 && block[end - 1] === 0) end -= 1;
      if (end === block.byteLength) continue;
      if (end === 0) missing += 1;
      else short += 1;
      const key = blockKey(file, index);
      changes.push(end === 0 ? area.store.delete(key) : area.store.put(key, block.slice(0, end)));
    }
    await Promise.all(changes);
    expect(short).toBeGreaterThan(0);
    expect(missing).toBeGreaterThan(0);
    const source = await readBlocksDatabase({ store: area.store, file, blockSize });
    const chunks: Uint8Array[] = [];
    for await (const chunk of source.chunks) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(gappy.bytes)).toBe(true);
    const db = await connect(file, { blockSize });
    expect(await rows(db)).toEqual(expected);
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(
      await db.queryOne('SELECT length(z) AS n, z = zeroblob(100000) AS zero FROM zeros'),
    ).toEqual({
      n: 100000,
      zero: 1,
    });
  });

  it('answers a point query with one GET per B-tree level, plus one GET and one HEAD per later read transaction', async ({
    annotate,
  }) => {
    const file = `${area.prefix}counts/db.sqlite`;
    await putAsBlocks(area.store, file, deep.bytes, 1024);
    const depth = tableDepth(deep.file, 't');
    expect(depth).toBeGreaterThanOrEqual(3);
    const count = async <T>(fn: () => Promise<T>) => {
      area.store.metrics.reset();
      const result = await fn();
      return { result, requests: area.store.metrics.snapshot().requests };
    };
    const point = (db: Database, id: number) => db.queryOne('SELECT v FROM t WHERE id = ?', [id]);

    // Opening: block 0 and the journal's block 0, then the end of the file the header gives
    // confirmed by two HEADs (that block exists, the next does not). No LIST.
    const opened = await count(() => connect(file, { layout: 'blocks' }));
    expect(opened.requests).toMatchObject({ get: 1, head: 3, list: 0 });
    const reader = opened.result;
    // The first query takes two read transactions (the schema, then the query): the first
    // trusts what the opening found, the second checks block 0 (GET) and the journal (HEAD).
    // Then one GET per level of the B-tree below page 1 (which came with block 0).
    const first = await count(() => point(reader, 3456));
    expect(first.result).toEqual({ v: String(3456).padStart(40, '0') });
    expect(first.requests).toMatchObject({ get: 1 + depth, head: 1, list: 0, put: 0 });
    // Later ones check the same two first; the upper levels are cached.
    const second = await count(() => point(reader, 2));
    expect(second.requests.head).toBe(1);
    expect(second.requests.get).toBeLessThanOrEqual(1 + depth);
    expect(second.requests.list).toBe(0);
    const again = await count(() => point(reader, 3456));
    expect(again.requests).toMatchObject({ get: 1, head: 1, list: 0 });

    // A single writer trusts its own knowledge: nobody else writes.
    const writer = await connect(file, { layout: 'blocks', singleWriter: true });
    await point(writer, 3456);
    const warm = await count(() => point(writer, 3456));
    expect(warm.requests).toMatchObject({ get: 0, head: 0, list: 0 });
    await annotate(
      `B-tree depth ${depth}: cold ${first.requests.get} GETs + 1 HEAD; later read-only transactions ` +
        `1 GET + 1 HEAD + pages not cached; a single writer's warm lookup 0 requests`,
    );
  });

  it('finds the layout and block size with one LIST when the header gives no size', async () => {
    const file = `${area.prefix}noheader/db.sqlite`;
    // A database whose header page count is stale (as SQLite < 3.7.0 left it).
    const bytes = Buffer.from(local.bytes);
    bytes.writeUInt32BE(bytes.readUInt32BE(92) + 1, 92);
    await putAsBlocks(area.store, file, bytes, 4097);
    area.store.metrics.reset();
    const db = await connect(file, { layout: 'blocks' });
    expect(area.store.metrics.snapshot().requests).toMatchObject({ list: 1, get: 1, head: 1 });
    expect(await rows(db)).toEqual(expected);
  });
});

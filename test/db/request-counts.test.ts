import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, type Database } from '../../src/db/index.js';
import type { StoreLocation } from '../../src/store/index.js';
import { PageCache, Volume } from '../../src/volume/index.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';
import { Connections } from '../support/connections.js';
import { standing } from '../support/clock.js';

/*
 * Request counts of the main paths (docs/FORMAT.md, "Opening, reading, committing"). They are
 * deterministic, so they are asserted exactly, or as the bound the design promises.
 *
 * Two databases of the same shape are built once per store kind: `t(id INTEGER PRIMARY KEY,
 * v TEXT)` with 40-character values in 512-byte pages, 80 rows (11 pages) and 100,000 rows
 * (about 10,200 pages; small pages give a deep B-tree and a 10,000-page database in 5 MB).
 * Each is made by the same three commits — CREATE TABLE, one bulk INSERT, one single-row
 * INSERT — with `checkpointInterval: 2`, so both have a checkpoint at commit 2 (the whole page
 * map) and one commit after it.
 */

const BIG_ROWS = 100_000;
const SMALL_ROWS = 80;
const PAGE_SIZE = 512;
const value = (id: number): string => String(id).padStart(40, '0');

async function build(location: StoreLocation, rows: number): Promise<void> {
  const db = await open(location, { cache: new PageCache(), checkpointInterval: 2 });
  try {
    await db.exec(`PRAGMA page_size = ${PAGE_SIZE}`);
    await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    await db.run(
      `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
       INSERT INTO t(id, v) SELECT i, printf('%040d', i) FROM c`,
      [rows],
    );
    await db.run('INSERT INTO t(id, v) VALUES (?, ?)', [rows + 1, value(rows + 1)]);
    expect(db.stats().snapshot.seq).toBe(3);
  } finally {
    await db.close();
  }
}

/**
 * Levels of the table B-tree rooted at `root` (1 when the root is a leaf), read from the raw
 * pages of the database (file format: the B-tree page header starts at byte 0, or 100 on page
 * 1; type 0x05 is a table interior page, whose right-most child pointer is at header offset 8;
 * 0x0d a table leaf). SQLite's B-trees are balanced, so the right-most path is as long as any.
 */
async function tableDepth(location: StoreLocation, table: string): Promise<number> {
  const db = await open(location, { cache: new PageCache() });
  const schema = await db.queryOne<{ rootpage: number }>(
    'SELECT rootpage FROM sqlite_schema WHERE name = ?',
    [table],
  );
  await db.close();
  if (!schema) throw new Error(`no table ${table}`);
  const volume = await Volume.open(location.store, location.prefix, { cache: new PageCache() });
  try {
    const { pageSize } = volume.snapshot;
    for (let pageNo = schema.rootpage, depth = 1; ; depth++) {
      const page = await volume.read((pageNo - 1) * pageSize, pageSize);
      const header = pageNo === 1 ? 100 : 0;
      const type = page[header];
      if (type === 0x0d) return depth;
      if (type !== 0x05) throw new Error(`page ${pageNo} is not a table B-tree page: ${type}`);
      pageNo = new DataView(page.buffer, page.byteOffset).getUint32(header + 8);
    }
  } finally {
    await volume.close();
  }
}

describe.each(STORE_KINDS)('request counts: %s', (kind) => {
  let area: TestArea;
  let small: StoreLocation;
  let big: StoreLocation;
  /** Levels of the B-tree of `t` in the big database. */
  let depth: number;
  const connections = new Connections();
  /**
   * A connection with a cold cache of its own (read-ahead on, as by default). Its clock stands
   * still, so a head it has seen stays trusted between two steps however busy the machine
   * (after 2 s a head probe would also read the checkpoint hint).
   */
  const connect = async (location: StoreLocation): Promise<Database> => {
    return connections.open(location, { cache: new PageCache(), clock: standing });
  };
  /** Requests the store receives while `fn` runs. */
  const count = async <T>(
    fn: () => Promise<T>,
  ): Promise<{ result: T; requests: Record<string, number>; total: number }> => {
    area.store.metrics.reset();
    const result = await fn();
    const { requests, totalRequests } = area.store.metrics.snapshot();
    return { result, requests, total: totalRequests };
  };

  beforeAll(async () => {
    area = createTestArea(kind);
    small = { store: area.store, prefix: `${area.prefix}small` };
    big = { store: area.store, prefix: `${area.prefix}big` };
    // 10,200 page PUTs: about 40 s on the test Ceph server.
    await build(small, SMALL_ROWS);
    await build(big, BIG_ROWS);
    depth = await tableDepth(big, 't');
  }, 300_000);
  afterAll(async () => {
    await connections.closeAll();
    await area?.cleanup();
  }, 120_000);

  it('opens a 10-page and a 10,000-page database with the same few GETs, no LIST', async () => {
    const opened = [];
    for (const location of [small, big]) {
      const { result: db, requests } = await count(() => connect(location));
      opened.push({ pageCount: db.stats().snapshot.pageCount, requests });
    }
    const [smallOpen, bigOpen] = opened;
    expect(smallOpen?.pageCount).toBeLessThanOrEqual(12);
    expect(bigOpen?.pageCount).toBeGreaterThanOrEqual(10_000);
    expect(bigOpen?.requests).toEqual(smallOpen?.requests);
    // The marker, the checkpoint hint and oldest-retained (GC's floor: openers start at the
    // later of the two, so a hint moved back by a slow writer cannot hide collected records),
    // the checkpoint, commits 3–6 (one batch of four probes; 4 is missing), and page 1, whose
    // header SQLite reads when it opens the file.
    expect(bigOpen?.requests).toEqual({
      get: 9,
      head: 0,
      put: 0,
      delete: 0,
      deleteMany: 0,
      list: 0,
    });
  });

  it('finds one row of 100,000 by primary key with at most depth + 2 cold GETs', async ({
    annotate,
  }) => {
    expect(depth).toBeGreaterThanOrEqual(3);
    const db = await connect(big);
    const { result: row, requests } = await count(() =>
      db.queryOne('SELECT * FROM t WHERE id = ?', [54_321]),
    );
    expect(row).toEqual({ id: 54_321, v: value(54_321) });
    // One GET per level of the B-tree, and the head probe of the read transaction (page 1
    // was read at open).
    expect(requests.get).toBeLessThanOrEqual(depth + 2);
    expect(requests.get).toBeGreaterThanOrEqual(depth);
    expect(requests).toMatchObject({ list: 0, head: 0, put: 0, delete: 0, deleteMany: 0 });
    expect(db.stats().volume.pagesPrefetched).toBe(0);
    await annotate(`B-tree depth ${depth}, ${requests.get} GETs`);
  });

  it('repeats the lookup warm with at most the head probes', async () => {
    const db = await connect(big);
    await db.queryOne('SELECT * FROM t WHERE id = ?', [54_321]);
    const {
      result: row,
      requests,
      total,
    } = await count(() => db.queryOne('SELECT * FROM t WHERE id = ?', [54_321]));
    expect(row).toEqual({ id: 54_321, v: value(54_321) });
    // Only the probes of the next two commit records (404s, in one round trip).
    expect(total).toBeLessThanOrEqual(2);
    expect(requests.list).toBe(0);
  });

  // A fifth of the table: a whole scan is 10,000 GETs, over a minute on a busy machine.
  it('scans a range with read-ahead, fetching each page once', async ({ annotate }) => {
    const rows = 20_000;
    const scan = (db: Database) =>
      db.queryOne('SELECT count(*) AS n, sum(length(v)) AS bytes FROM t WHERE id <= ?', [rows]);
    // Without read-ahead, the scan fetches exactly the pages it reads, each once (its cache
    // holds them all): the yardstick.
    const plain = await connections.open(big, {
      cache: new PageCache(),
      readAheadMax: 0,
      clock: standing,
    });
    const exact = await count(() => scan(plain));
    expect(exact.result).toEqual({ n: rows, bytes: 40 * rows });
    const readAheadMax = 64;
    const db = await connections.open(big, {
      cache: new PageCache(),
      readAheadMax,
      clock: standing,
    });
    const { result, requests } = await count(() => scan(db));
    expect(result).toEqual(exact.result);
    const { pagesPrefetched } = db.stats().volume;
    expect(pagesPrefetched).toBeGreaterThan(0);
    // The same pages, each once, and at most one read-ahead window past the range's end.
    expect(requests.get).toBeGreaterThanOrEqual(exact.requests.get as number);
    expect(requests.get).toBeLessThanOrEqual((exact.requests.get as number) + readAheadMax);
    expect(requests).toMatchObject({ list: 0, head: 0, put: 0, delete: 0, deleteMany: 0 });
    await annotate(
      `${exact.requests.get} pages, ${requests.get} GETs with read-ahead, ${pagesPrefetched} prefetched`,
    );
  });

  // Last: it adds a commit to the big database.
  it('commits a single-row INSERT with one PUT per changed page plus the commit record', async ({
    annotate,
  }) => {
    const db = await connect(big);
    // Reads the right-most path of the B-tree, where the row goes, into the cache.
    expect(await db.queryOne('SELECT max(id) AS m FROM t')).toEqual({ m: BIG_ROWS + 1 });
    const before = db.stats().snapshot.seq;
    const { requests } = await count(() =>
      db.run('INSERT INTO t(v) VALUES (?)', [value(BIG_ROWS + 2)]),
    );
    const { seq, changedPages } = db.stats().snapshot;
    expect(seq).toBe(before + 1);
    expect(changedPages).toBeGreaterThanOrEqual(2); // the leaf and page 1 (change counter)
    expect(requests.put).toBe(changedPages + 1);
    // The probes of the next two commit records when the read lock is taken, and again at the
    // write lock (each pair in one round trip).
    expect(requests.get).toBe(4);
    expect(requests).toMatchObject({ list: 0, head: 0, delete: 0, deleteMany: 0 });
    await annotate(`${changedPages} pages changed, ${requests.put} PUTs, ${requests.get} GETs`);
  });
});

/**
 * Crash recovery of the blocks layout with real processes killed with SIGKILL (workers in
 * test/workers/interop-blocks-crash.ts), on the S3 server: whatever instant a writer dies,
 * the next connection's hot-journal recovery leaves exactly the old or the new state.
 */
import { describe, expect, it } from 'vitest';
import { open, PageCache, type Database, type OpenOptions } from '../../src/index.js';
import { blockKey } from '../../src/layouts/index.js';
import { integrity, tableState, type TableState } from '../workers/state.js';
import { createProcessArea } from '../process/area.js';
import { storedBlocks } from './blocks-helpers.js';

const BLOCK_SIZE = 4096;
const ROWS = 40;

interface Scenario {
  crashAt: 'spill' | 'commit' | 'journal';
  after: number;
  /** The state the next connection must find. */
  outcome: 'old' | 'new';
}

const SCENARIOS: Array<[string, Scenario]> = [
  [
    'killed mid-transaction after a cache spill: the old state',
    { crashAt: 'spill', after: 0, outcome: 'old' },
  ],
  [
    "killed during COMMIT's database writes (after 1 block): the old state",
    { crashAt: 'commit', after: 1, outcome: 'old' },
  ],
  [
    "killed during COMMIT's database writes (after 4 blocks): the old state",
    { crashAt: 'commit', after: 4, outcome: 'old' },
  ],
  [
    "killed during COMMIT's database writes (after 9 blocks): the old state",
    { crashAt: 'commit', after: 9, outcome: 'old' },
  ],
  [
    "killed between the journal's deletes: the new state",
    { crashAt: 'journal', after: 0, outcome: 'new' },
  ],
];

/**
 * A fresh database in the blocks layout with table `t` and 20 rows: its file, a way to
 * connect, and its state. Everything is removed when the test ends (`onFinished`).
 */
async function setUp(onFinished: (fn: () => Promise<void>) => void): Promise<{
  area: ReturnType<typeof createProcessArea>;
  file: string;
  connect: (options?: OpenOptions) => Promise<Database>;
  old: TableState;
}> {
  const area = createProcessArea('s3');
  const file = `${area.location.prefix}/db`;
  const connections: Database[] = [];
  onFinished(async () => {
    for (const db of connections) await db.close();
    await area.cleanup();
  });
  const connect = async (options: OpenOptions = {}) => {
    const db = await open(
      { store: area.store, prefix: file },
      {
        layout: 'blocks',
        blockSize: BLOCK_SIZE,
        singleWriter: true,
        cache: new PageCache(),
        ...options,
      },
    );
    connections.push(db);
    return db;
  };
  const db = await connect();
  await db.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, v BLOB);
    WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 20)
    INSERT INTO t(x, v) SELECT k, randomblob(500) FROM i`);
  return { area, file, connect, old: await tableState(db) };
}

// One test at a time: each runs a worker process and four connections, and run together they
// shared one machine's CPU within each test's timeout (five at once took 45 s of the 60 at a
// load average of 13, where one alone takes 8 s).
describe('blocks layout: a writer killed with SIGKILL, on S3', () => {
  it.for(SCENARIOS)('%s', async ([, scenario], { onTestFinished }) => {
    const { area, file, connect, old } = await setUp(onTestFinished);
    const worker = area.start('interop-blocks-crash', {
      file,
      blockSize: BLOCK_SIZE,
      rows: ROWS,
      ...scenario,
    });
    const report = await worker.next<{ expected: TableState; spilled: number }>();
    // The transaction had stored pages before COMMIT: the cache spilled.
    expect(report.spilled).toBeGreaterThan(0);
    expect(await worker.exited).toMatchObject({ signal: 'SIGKILL' });
    const journal = await storedBlocks(area.store, `${file}-journal`);
    if (scenario.crashAt === 'journal') {
      // Block 0 went first: what is left is not a journal, and not hot.
      expect(journal.length).toBeGreaterThan(0);
      expect(journal[0]?.key.endsWith('/0000000000')).toBe(false);
    } else {
      expect(journal[0]?.key.endsWith('/0000000000')).toBe(true);
    }

    // A read-only connection may not roll the journal back: it says so.
    const reader = await connect({ singleWriter: false });
    const read = tableState(reader);
    if (scenario.outcome === 'old') {
      await expect(read).rejects.toMatchObject({ code: 'READ_ONLY' });
      await expect(read).rejects.toThrow('hot journal');
    } else {
      expect(await read).toEqual(report.expected);
    }

    const recovered = await connect();
    expect(await tableState(recovered)).toEqual(scenario.outcome === 'old' ? old : report.expected);
    expect(await integrity(recovered)).toBe('ok');
    // The recovered database takes writes, and the journal is gone after them.
    await recovered.exec(`INSERT INTO t(x, v) VALUES (-1, x'00')`);
    expect(await storedBlocks(area.store, `${file}-journal`)).toEqual([]);
    // Still sqlite-s3vfs's layout: blocks 0…n, every one full but the last.
    const blocks = await storedBlocks(area.store, file);
    expect(blocks.map((b) => b.key)).toEqual(blocks.map((_, i) => blockKey(file, i)));
    expect(blocks.slice(0, -1).every((b) => b.size === BLOCK_SIZE)).toBe(true);
    const fresh = await connect();
    expect((await tableState(fresh)).rows).toBe(
      (scenario.outcome === 'old' ? old : report.expected).rows + 1,
    );
    expect(await integrity(fresh)).toBe('ok');
  });

  it('rolls back a transaction that spilled, and the same connection carries on', async ({
    onTestFinished,
  }) => {
    const { connect, old } = await setUp(onTestFinished);
    const db = await connect({ writeBufferBytes: 64 * 1024 });
    await db.exec('PRAGMA cache_size=10; BEGIN');
    await db.run(
      `WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < ${ROWS})
       INSERT INTO t(x, v) SELECT k, randomblob(3000) FROM i`,
    );
    // Pages of the transaction were stored in the database before its end.
    expect(db.stats().volume.pagesUploadedEarly).toBeGreaterThan(0);
    await db.exec('ROLLBACK');
    expect(await tableState(db)).toEqual(old);
    expect(await integrity(db)).toBe('ok');
    await db.exec(`INSERT INTO t(x, v) VALUES (-1, x'00')`);
    const fresh = await connect();
    expect((await tableState(fresh)).rows).toBe(old.rows + 1);
    expect(await integrity(fresh)).toBe('ok');
  });
});

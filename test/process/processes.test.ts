/**
 * Crash and concurrency claims checked with real separate OS processes (workers in
 * test/workers/), on the stores that processes can share: FileStore and the S3 server.
 * MemoryStore is left out: its objects live in one process's memory.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { integrity, tableState, type TableState } from '../workers/state.js';
import type { ScriptProcess } from '../support/script-process.js';
import { createProcessArea, type ProcessArea, type SharedStoreKind } from './area.js';

const KINDS: SharedStoreKind[] = ['file', 's3'];

/** Table `t` as tableState() reads it, filled with `rows` rows of `bytes` random bytes. */
function createTable(rows: number, bytes: number): string {
  return `CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, v BLOB);
    WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < ${rows})
    INSERT INTO t(x, v) SELECT k, randomblob(${bytes}) FROM i`;
}

/**
 * Increments each of the four racing writers makes. They race most at the start, when all
 * four begin together; every further increment is one more commit, in series with the
 * others': at a load average of 15 each took 0.3 s on files and 0.8 s on S3 (25 apiece took
 * 39 s of the 60 s timeout at a load of 11).
 */
const INCREMENTS = 8;

async function counter(db: Database): Promise<number | undefined> {
  return (await db.queryOne<{ n: number }>('SELECT n FROM counter'))?.n;
}

describe.each(KINDS)('separate processes: %s', (kind) => {
  let area: ProcessArea;

  beforeEach(() => {
    area = createProcessArea(kind);
  });
  afterEach(async () => {
    await area.cleanup();
  });

  it("keeps a reader's snapshot while another process commits, and moves on after it", async () => {
    const setup = await area.connect();
    await setup.exec(
      `CREATE TABLE counter(n); INSERT INTO counter VALUES (0); ${createTable(100, 1000)}`,
    );
    const before = await tableState(setup);
    const reader = await area.connect();
    // The read transaction pins the head; of table t it has not read a single page yet.
    await reader.exec('BEGIN; SELECT n FROM counter');

    const writer = area.start('sql', {
      sql: "UPDATE t SET x = -x; INSERT INTO t(x, v) VALUES (0, x'00'); UPDATE counter SET n = 1",
    });
    const written = await writer.next<{ state: TableState }>();
    expect(await writer.exited).toMatchObject({ code: 0 });
    expect(written.state).not.toEqual(before);

    // Pages of t fetched now, after the other commits, are still those of the pinned commit.
    expect(await tableState(reader)).toEqual(before);
    expect(await counter(reader)).toBe(0);
    await reader.exec('COMMIT');
    expect(await tableState(reader)).toEqual(written.state);
    expect(await counter(reader)).toBe(1);
  });

  describe('a writer killed with SIGKILL while committing a 2 MB transaction', () => {
    /** The database before the crash, and what the killed worker said before committing. */
    async function crashWriter(crashAt: 'pages' | 'commit') {
      const db = await area.connect();
      await db.exec(createTable(50, 4000));
      const before = await tableState(db);
      const seq = db.stats().snapshot.seq;
      const pagesBefore = (await area.keys('pages/')).length;
      const worker = area.start('crash', { crashAt, pagePuts: 40, rows: 500 });
      const report = await worker.next<{ seq: number; expected: TableState }>();
      expect(report.seq).toBe(seq);
      expect(await worker.exited).toMatchObject({ signal: 'SIGKILL' });
      return { before, seq, pagesBefore, expected: report.expected };
    }

    it('before its commit record: the old database, intact and writable', async () => {
      const { before, seq, pagesBefore } = await crashWriter('pages');
      // It died after storing pages (orphans now) but before creating commit seq + 1.
      expect((await area.keys('pages/')).length).toBeGreaterThanOrEqual(pagesBefore + 40);
      expect(await area.keys('commits/')).toHaveLength(seq);

      const db = await area.connect();
      expect(await integrity(db)).toBe('ok');
      expect(await tableState(db)).toEqual(before);
      expect(db.stats().snapshot.seq).toBe(seq);
      // The orphans are in nobody's way: the next commit takes the number the dead one missed.
      await db.run("INSERT INTO t(x, v) VALUES (0, x'00')");
      expect(db.stats().snapshot.seq).toBe(seq + 1);
      expect(await integrity(db)).toBe('ok');
    });

    it('right after its commit record: the new database, intact', async () => {
      const { before, seq, expected } = await crashWriter('commit');
      expect(await area.keys('commits/')).toHaveLength(seq + 1);

      const db = await area.connect();
      expect(await integrity(db)).toBe('ok');
      expect(await tableState(db)).toEqual(expected);
      expect(expected.rows).toBe(before.rows + 500);
      expect(db.stats().snapshot.seq).toBe(seq + 1);
    });
  });

  it.each([4096, 65536])('reopens in another process a %i-byte-page database', async (pageSize) => {
    const db = await area.connect();
    await db.exec(`PRAGMA page_size = ${pageSize}; ${createTable(200, 1500)}`);
    const { seq } = db.stats().snapshot;
    expect(db.stats().snapshot.pageSize).toBe(pageSize);

    const worker = area.start('sql');
    expect(await worker.next()).toEqual({
      pageSize,
      seq,
      integrity: 'ok',
      state: await tableState(db),
    });
    expect(await worker.exited).toMatchObject({ code: 0 });
  });

  it('lets exactly one of two processes writing on the same snapshot commit', async () => {
    const db = await area.connect();
    await db.exec('CREATE TABLE counter(n); INSERT INTO counter VALUES (0)');
    const { seq } = db.stats().snapshot;
    const deltas = [1, 10];
    const workers = deltas.map((delta) => area.start('race', { delta }));
    // Both hold a write transaction on commit `seq` before either commits.
    for (const worker of workers) expect(await worker.next()).toEqual({ read: 0, seq });
    for (const worker of workers) worker.go();
    const reports = await Promise.all(
      workers.map((worker) => worker.next<{ outcome: string; after: number; conflicts: number }>()),
    );
    for (const worker of workers) expect(await worker.exited).toMatchObject({ code: 0 });

    const winner = reports.findIndex((report) => report.outcome === 'committed');
    const loser = 1 - winner;
    expect(reports[loser]).toMatchObject({ outcome: 'CONFLICT', conflicts: 1 });
    expect(reports[winner]).toMatchObject({ conflicts: 0 });
    // Both now see the winner's update alone; the loser's was rolled back.
    const winnerDelta = deltas[winner];
    expect(reports.map((report) => report.after)).toEqual([winnerDelta, winnerDelta]);

    const check = await area.connect();
    expect(await counter(check)).toBe(winnerDelta);
    expect(check.stats().snapshot.seq).toBe(seq + 1);
    expect(await integrity(check)).toBe('ok');
  });
});

// One scenario in steps that run in order, each a test of its own with the whole timeout:
// starting four processes that each load SQLite and open the database took 12-19 s at a load
// average of 15, before any of them wrote.
describe.each(KINDS)('four writer processes started at the same moment: %s', (kind) => {
  let area: ProcessArea;
  let workers: ScriptProcess[] = [];
  let base = 0;

  beforeAll(() => {
    area = createProcessArea(kind);
  });
  afterAll(async () => {
    await area.cleanup();
  });

  it('all open the database before any of them starts writing', async () => {
    const db = await area.connect();
    await db.exec('CREATE TABLE counter(n); INSERT INTO counter VALUES (0)');
    base = db.stats().snapshot.seq;
    workers = Array.from({ length: 4 }, () =>
      area.start('increment', { transactions: INCREMENTS }),
    );
    await Promise.all(workers.map((worker) => worker.next()));
  });

  it('land every increment', async () => {
    for (const worker of workers) worker.go();
    const reports = await Promise.all(
      workers.map((worker) =>
        worker.next<{
          bodyRuns: number;
          lostRaces: number;
          mostLostRaces: number;
          commits: number;
          turns: number;
        }>(),
      ),
    );
    for (const worker of workers) expect(await worker.exited).toMatchObject({ code: 0 });
    console.info(`${kind}: increment workers`, JSON.stringify(reports));

    const check = await area.connect();
    expect(await counter(check)).toBe(4 * INCREMENTS);
    expect(await integrity(check)).toBe('ok');
    // One commit per increment, plus the turns that writers who lost races in a row took (each
    // a commit that changes nothing): no lost update, no other empty commit, no duplicate.
    const turns = reports.reduce((sum, report) => sum + report.turns, 0);
    expect(check.stats().snapshot.seq).toBe(base + 4 * INCREMENTS + turns);
    for (const report of reports) {
      expect(report.commits).toBe(INCREMENTS);
      // Every re-run of a body follows a lost race (some races are lost before the body).
      expect(report.lostRaces).toBeGreaterThanOrEqual(report.bodyRuns - INCREMENTS);
    }
  });
});

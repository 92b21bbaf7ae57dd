import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open, type Database } from '../../src/db/index.js';
import type { ObjectStore } from '../../src/store/index.js';
import { collectGarbage, PageCache, Volume, type GcOptions } from '../../src/volume/index.js';
import { later, LATER_MS } from '../support/clock.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const P = 1024;

/** A deterministic pseudo-random generator, so a failing run can be repeated. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Keys under the area's prefix that start with `under`. */
async function keys(area: TestArea, under: string): Promise<string[]> {
  const out: string[] = [];
  for await (const object of area.store.listAll(`${area.prefix}${under}`)) out.push(object.key);
  return out;
}

const volumeAt = (store: ObjectStore, prefix: string, options = {}) =>
  Volume.open(store, prefix, { cache: new PageCache(), ...options });

describe.each(STORE_KINDS)('garbage collection: %s', (kind) => {
  let area: TestArea;
  const connections: Database[] = [];
  const connect = async (options = {}) => {
    const db = await open(
      { store: area.store, prefix: area.prefix },
      { cache: new PageCache(), ...options },
    );
    connections.push(db);
    return db;
  };
  const gc = (options: GcOptions) => collectGarbage(area.store, area.prefix, options);

  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(async () => {
    for (const db of connections.splice(0)) await db.close();
    await area.cleanup();
  });

  it('never deletes an object a retained commit needs: every page of every one reads back', async () => {
    // 40 commits of random page writes and truncations, the file's bytes kept after each.
    const writer = await volumeAt(area.store, area.prefix, { checkpointInterval: 4 });
    const next = random(8);
    const images: Uint8Array[] = [new Uint8Array(0)];
    for (let seq = 1; seq <= 40; seq++) {
      await writer.beginRead();
      await writer.beginWrite();
      if (seq > 1 && next() < 0.15) await writer.truncate(Math.floor(next() * 10) * P);
      for (let n = 0; n < 1 + next() * 4; n++) {
        const page = Math.floor(next() * 12);
        await writer.write(page * P, new Uint8Array(P).fill(Math.floor(next() * 256)));
      }
      await writer.commit();
      writer.endRead();
      images.push(await writer.read(0, writer.size));
    }

    const report = await gc({ keepLast: 15, grace: 0, checkpointInterval: 4, clock: later });
    // Commit 26 is the 15th newest; the checkpoint at 24 is close enough to keep from there.
    expect(report).toMatchObject({ head: 40, oldestRetained: 24, checkpointsWritten: [] });
    expect(report.removed.commits).toBe(23);
    expect(report.removed.checkpoints).toBe(5);
    expect(report.removed.pages).toBeGreaterThan(0);
    expect(report.storedBytesAfter).toBe(report.storedBytesBefore - report.bytesFreed);
    expect(await keys(area, 'commits/')).toHaveLength(17);

    for (let seq = 24; seq <= 40; seq++) {
      const past = await volumeAt(area.store, area.prefix, { at: seq });
      expect(await past.read(0, past.size)).toEqual(images[seq]);
    }
    for (const seq of [1, 12, 23]) {
      expect((await failure(volumeAt(area.store, area.prefix, { at: seq }))).code).toBe(
        'SNAPSHOT_EXPIRED',
      );
    }
    // Nothing left to collect, even for a more generous policy; the writer goes on.
    for (const keepLast of [15, 30]) {
      const again = await gc({ keepLast, grace: 0, checkpointInterval: 4, clock: later });
      expect(again).toMatchObject({ oldestRetained: 24, checkpointsWritten: [] });
      expect(again.removed).toEqual({ commits: 0, checkpoints: 0, pages: 0 });
    }
    await writer.beginRead();
    await writer.beginWrite();
    await writer.write(0, new Uint8Array(P).fill(7));
    expect((await writer.commit()).seq).toBe(41);
  });

  it('keeping the last commit leaves its pages, one checkpoint and one record', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)');
    for (let i = 0; i < 10; i++) await db.run('INSERT INTO t(v) VALUES (randomblob(3000))');
    await db.run('DELETE FROM t WHERE id % 2 = 0');

    const dry = await db.gc({ keepLast: 1, grace: 0, dryRun: true, clock: later });
    expect(dry).toMatchObject({ dryRun: true, head: 12, oldestRetained: 12 });
    expect(dry.removed.commits).toBe(11);
    const before = await keys(area, '');
    const report = await db.gc({ keepLast: 1, grace: 0, clock: later });
    expect({ ...report, dryRun: true }).toEqual(dry);
    // It wrote a checkpoint at the head, the hint naming it and the oldest-retained record.
    expect(before.length - (await keys(area, '')).length).toBe(
      report.removed.commits + report.removed.checkpoints + report.removed.pages - 3,
    );

    expect(await keys(area, 'commits/')).toHaveLength(1);
    expect(await keys(area, 'checkpoints/')).toHaveLength(1);
    const { pageCount, pageSize } = db.stats().snapshot;
    expect((await keys(area, 'pages/')).length).toBeLessThanOrEqual(pageCount);
    // Marker, hint and oldest-retained record are all that the pages and checkpoint add to.
    expect(report.storedBytesAfter).toBeLessThan(1.1 * pageCount * pageSize);
    const fresh = await connect();
    expect(await fresh.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(await fresh.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 5 });
  });

  it('fails a reader pinned to a collected commit with SNAPSHOT_EXPIRED, then lets it read the head', async () => {
    const writer = await connect();
    await writer.exec(`CREATE TABLE counter(n); INSERT INTO counter VALUES (0);
      CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);
      WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 100)
      INSERT INTO t(v) SELECT randomblob(1000) FROM i`);
    const reader = await connect({ readAheadMax: 0 });
    // Pinned to commit 4, having read only the counter's pages.
    await reader.exec('BEGIN');
    expect(await reader.queryOne('SELECT n FROM counter')).toEqual({ n: 0 });
    for (let i = 1; i <= 3; i++) {
      await writer.exec(`UPDATE t SET v = randomblob(1000); UPDATE counter SET n = ${i}`);
    }
    await writer.gc({ keepLast: 1, grace: 0, clock: later });

    const error = await failure(reader.query('SELECT sum(length(v)) AS bytes FROM t'));
    expect(error.code).toBe('SNAPSHOT_EXPIRED');
    expect(error.message).toContain('commit 4 ');
    expect(await reader.queryOne('SELECT n FROM counter')).toEqual({ n: 3 });
    expect(await reader.queryOne('SELECT sum(length(v)) AS bytes FROM t')).toEqual({
      bytes: 100_000,
    });
  });

  it('lets an idle connection whose next commits were collected catch up, not write over them', async () => {
    const idle = await connect();
    await idle.exec('CREATE TABLE t(n)');
    const writer = await connect();
    for (let n = 1; n <= 5; n++) await writer.run('INSERT INTO t VALUES (?)', [n]);
    await writer.gc({ keepLast: 1, grace: 0, clock: later });
    // Long enough that the idle connection no longer takes a missing record for the head.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await idle.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 5 });
    await idle.run('INSERT INTO t VALUES (6)');
    expect(idle.stats().snapshot.seq).toBe(7);
    expect(await writer.queryOne('SELECT sum(n) AS s FROM t')).toEqual({ s: 21 });
  });

  it('loses nothing of a writer that commits while collections run', async () => {
    const writer = await connect();
    await writer.exec('CREATE TABLE log(id INTEGER PRIMARY KEY, body BLOB)');
    const acknowledged: number[] = [];
    let writing = true;
    const writes = (async () => {
      for (let i = 1; writing; i++) {
        await writer.run('INSERT INTO log(id, body) VALUES (?, randomblob(2000))', [i]);
        acknowledged.push(i);
        // MemoryStore answers without I/O: let the timers of the collecting loop run.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    // Collections with a grace period longer than any of the writer's transactions.
    // Rounds until both kinds were collected at least once, not a wall-clock window: a loaded
    // machine may commit only a few times in any fixed number of seconds.
    const removed = { commits: 0, pages: 0 };
    for (let round = 0; round < 10 || removed.commits === 0 || removed.pages === 0; round++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const report = await gc({ keepLast: 1, grace: LATER_MS + 2000, clock: later });
      removed.commits += report.removed.commits;
      removed.pages += report.removed.pages;
    }
    writing = false;
    await writes;
    expect(removed.commits).toBeGreaterThan(0);
    expect(removed.pages).toBeGreaterThan(0);

    const check = await connect();
    expect(await check.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const ids = (await check.query<{ id: number }>('SELECT id FROM log ORDER BY id')).map(
      (row) => row.id,
    );
    expect(ids).toEqual(acknowledged);
  });

  it('leaves a live transaction’s early uploads alone until the grace period has passed', async () => {
    const first = await volumeAt(area.store, area.prefix);
    await first.beginRead();
    await first.beginWrite();
    await first.write(0, new Uint8Array(P).fill(1));
    await first.commit();
    const writer = await volumeAt(area.store, area.prefix, { writeBufferBytes: 4 * P });
    await writer.beginRead();
    await writer.beginWrite();
    for (let page = 0; page < 12; page++) {
      await writer.write(page * P, new Uint8Array(P).fill(page + 2));
    }
    expect(writer.stats().pagesUploadedEarly).toBeGreaterThan(0);
    const report = await gc({ keepLast: 1, grace: '1h' });
    expect(report.youngPagesKept).toBe(writer.stats().pagesUploadedEarly);
    expect(report.removed.pages).toBe(0);
    await writer.commit();
    const reader = await volumeAt(area.store, area.prefix);
    for (let page = 0; page < 12; page++) {
      expect(await reader.read(page * P, P)).toEqual(new Uint8Array(P).fill(page + 2));
    }
  });

  it('collects garbage by itself every gcEvery commits, with the retention it was given', async () => {
    const db = await connect({ gcEvery: 5, retention: { keepLast: 2, grace: 0 }, clock: later });
    await db.exec('CREATE TABLE t(v)');
    for (let i = 0; i < 9; i++) await db.run('INSERT INTO t VALUES (?)', [i]);
    // Closing waits for the collection that commit 10 started.
    await db.close();
    // The last run kept commits 9 and 10, and from the nearest checkpoint before them on
    // (which the first run wrote, at the head it found after commit 5), since reading from
    // there is cheap.
    expect((await keys(area, 'commits/')).length).toBeLessThanOrEqual(6);
    expect((await failure(connect({ at: 4 }))).code).toBe('SNAPSHOT_EXPIRED');
    const reader = await connect({ at: 9 });
    expect(await reader.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 8 });
  });
});

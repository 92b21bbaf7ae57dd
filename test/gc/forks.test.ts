import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors.js';
import { normalizePrefix, commitKey } from '../../src/format/index.js';
import { collectGarbage, PageCache, Volume } from '../../src/volume/index.js';
import { Interloper } from '../db/interloper.js';
import { later, steppedClock } from '../support/clock.js';
import { Connections } from '../support/connections.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const P = 1024;

/*
 * Invariant 10: no gc setting and no slow writer can fork history (docs/history.md, "Why gc
 * cannot fork history").
 */
describe.each(STORE_KINDS)('gc cannot fork history: %s', (kind) => {
  let area: TestArea;
  const connections = new Connections();
  const connect = () =>
    connections.open({ store: area.store, prefix: area.prefix }, { cache: new PageCache() });

  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(async () => {
    await connections.closeAll();
    await area.cleanup();
  });

  it('keeps commit records younger than a minute, whatever grace says', async () => {
    const idle = await connect();
    await idle.exec('CREATE TABLE t(n)');
    await idle.queryOne('SELECT count(*) FROM t');
    const writer = await connect();
    for (let n = 1; n <= 3; n++) await writer.run('INSERT INTO t VALUES (?)', [n]);
    // grace 0 and keepLast 1 used to delete commits 2 and 3 behind the idle connection,
    // which then made its own commit 2, acknowledged and never seen again.
    const report = await collectGarbage(area.store, area.prefix, { keepLast: 1, grace: 0 });
    expect(report.removed.commits).toBe(0);
    await idle.run('INSERT INTO t VALUES (4)');
    const fresh = await connect();
    expect(await fresh.queryOne('SELECT sum(n) AS s FROM t')).toEqual({ s: 10 });
  });

  it('never acknowledges a commit whose number was collected while it was being made', async () => {
    const hooked = new Interloper(area.store, area.prefix);
    const clock = steppedClock();
    const idle = await Volume.open(hooked, area.prefix, { cache: new PageCache(), clock });
    await idle.beginRead();
    await idle.beginWrite();
    await idle.write(0, new Uint8Array(P).fill(1));
    await idle.commit();
    idle.endRead();
    await idle.beginRead();
    await idle.beginWrite();
    await idle.write(0, new Uint8Array(P).fill(9));
    clock.step(3000);
    // Right before the idle connection's create of commit 2 (after its check of the head, and
    // seconds later for it): another writer makes commits 2–4, and a collection (two minutes
    // later, for it) keeps only the last.
    hooked.beforeNextCommit(async () => {
      clock.step(3000);
      const writer = await Volume.open(area.store, area.prefix, { cache: new PageCache() });
      for (let v = 2; v <= 4; v++) {
        await writer.beginRead();
        await writer.beginWrite();
        await writer.write(0, new Uint8Array(P).fill(v));
        await writer.commit();
        writer.endRead();
      }
      await collectGarbage(area.store, area.prefix, { keepLast: 1, grace: 0, clock: later });
      expect(await area.store.head(commitKey(normalizePrefix(area.prefix), 2)).catch(() => 0)).toBe(
        0,
      );
    });
    const error = await failure(idle.commit());
    expect(error).toBeInstanceOf(ConflictError);
    const reader = await Volume.open(area.store, area.prefix, { cache: new PageCache() });
    // Commit 5 is the collection's fence: the idle connection's page looked abandoned to it.
    expect(reader.snapshot.seq).toBe(5);
    expect(await reader.read(0, P)).toEqual(new Uint8Array(P).fill(4));
  });

  it('fences off a write transaction whose pages it collects: a conflict, not a broken head', async () => {
    const db = await connect();
    await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)');
    const slow = await Volume.open(area.store, area.prefix, {
      cache: new PageCache(),
      writeBufferBytes: 4 * P,
    });
    await slow.beginRead();
    await slow.beginWrite();
    for (let page = 0; page < 12; page++) {
      await slow.write(page * P, new Uint8Array(P).fill(page + 2));
    }
    expect(slow.stats().pagesUploadedEarly).toBeGreaterThan(0);
    // The transaction has lasted longer than the grace period, for this collection.
    const report = await collectGarbage(area.store, area.prefix, {
      keepLast: 1,
      grace: 0,
      clock: later,
    });
    expect(report.removed.pages).toBeGreaterThanOrEqual(slow.stats().pagesUploadedEarly);
    expect(report.fence).toBe(2);
    expect((await failure(slow.commit())).code).toBe('CONFLICT');
    const fresh = await connect();
    expect(await fresh.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    await fresh.transaction((tx) => tx.run('INSERT INTO t(v) VALUES (zeroblob(10))'));
    expect(await fresh.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 1 });
  });
});

/**
 * Orphan page objects of a writer process killed before its commit record: left alone while
 * younger than the grace period (a live writer's uploads look the same), collected after it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/volume/index.js';
import { createProcessArea, type ProcessArea, type SharedStoreKind } from '../process/area.js';
import { integrity, tableState } from '../workers/state.js';

const KINDS: SharedStoreKind[] = ['file', 's3'];
const GRACE_MS = 1500;

describe.each(KINDS)('orphan pages of a killed writer: %s', (kind) => {
  let area: ProcessArea;
  beforeEach(() => {
    area = createProcessArea(kind);
  });
  afterEach(async () => {
    await area.cleanup();
  });

  it('are collected once older than the grace period, and nothing else is', async () => {
    const db = await area.connect();
    await db.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, v BLOB);
      WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 50)
      INSERT INTO t(x, v) SELECT k, randomblob(4000) FROM i`);
    const state = await tableState(db);
    const pagesBefore = (await area.keys('pages/')).sort();

    const worker = area.start('crash', { crashAt: 'pages', pagePuts: 40, rows: 500 });
    await worker.next();
    expect(await worker.exited).toMatchObject({ signal: 'SIGKILL' });
    const killedAt = Date.now();
    const orphans = (await area.keys('pages/')).length - pagesBefore.length;
    expect(orphans).toBeGreaterThanOrEqual(40);

    const gc = () => collectGarbage(area.store, area.location.prefix, { grace: GRACE_MS });
    const early = await gc();
    expect(early.youngPagesKept).toBe(orphans);
    expect(early.removed).toEqual({ commits: 0, checkpoints: 0, pages: 0 });

    await new Promise((resolve) => setTimeout(resolve, killedAt + GRACE_MS + 100 - Date.now()));
    const late = await gc();
    expect(late).toMatchObject({ youngPagesKept: 0, removed: { pages: orphans } });
    expect((await area.keys('pages/')).sort()).toEqual(pagesBefore);

    const check = await area.connect();
    expect(await integrity(check)).toBe('ok');
    expect(await tableState(check)).toEqual(state);
  });
});

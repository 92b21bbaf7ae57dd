/**
 * Orphan page objects of a writer process killed before its commit record: left alone while
 * younger than the grace period (a live writer's uploads look the same), collected after it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/volume/index.js';
import { createProcessArea, type ProcessArea, type SharedStoreKind } from '../process/area.js';
import { integrity, tableState } from '../workers/state.js';

const KINDS: SharedStoreKind[] = ['file', 's3'];
/**
 * Longer than any test run, so the orphans are certainly younger than it, however slow the
 * machine; a grace of 0 then makes them certainly older. A grace a little longer than the
 * steps in between would be a race against the clock under load.
 */
const LONG_GRACE = '1h';

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
    const orphans = (await area.keys('pages/')).length - pagesBefore.length;
    expect(orphans).toBeGreaterThanOrEqual(40);

    const gc = (grace: string | number) =>
      collectGarbage(area.store, area.location.prefix, { grace });
    const early = await gc(LONG_GRACE);
    expect(early.youngPagesKept).toBe(orphans);
    expect(early.removed).toEqual({ commits: 0, checkpoints: 0, pages: 0 });

    const late = await gc(0);
    expect(late).toMatchObject({ youngPagesKept: 0, removed: { pages: orphans } });
    expect((await area.keys('pages/')).sort()).toEqual(pagesBefore);

    const check = await area.connect();
    expect(await integrity(check)).toBe('ok');
    expect(await tableState(check)).toEqual(state);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { open } from '../../src/db/index.js';
import { PageCache } from '../../src/volume/index.js';
import { tableState, type TableState } from '../workers/state.js';
import { createProcessArea, type ProcessArea } from './area.js';

const PAGE_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
const JOURNAL_MODES = ['DELETE', 'TRUNCATE', 'PERSIST', 'MEMORY', 'OFF'];

describe.each(['file', 's3'] as const)(
  'page size × journal mode, reopened in a new process: %s',
  (kind) => {
    let area: ProcessArea;
    afterEach(() => area.cleanup());

    it('reads every database another process wrote, then VACUUMs it', async () => {
      area = createProcessArea(kind);
      const expected = new Map<string, { pageSize: number; state: TableState }>();
      await Promise.all(
        PAGE_SIZES.flatMap((pageSize) =>
          JOURNAL_MODES.map(async (mode) => {
            const prefix = `${area.location.prefix}/${pageSize}-${mode}`;
            const db = await open({ store: area.store, prefix }, { cache: new PageCache() });
            await db.exec(
              `PRAGMA journal_mode=${mode}; PRAGMA page_size=${pageSize};
             CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, v BLOB);
             INSERT INTO t(x, v) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 60)
               SELECT i, randomblob(i * 7) FROM c;
             DELETE FROM t WHERE x % 4 = 0`,
            );
            expected.set(prefix, { pageSize, state: await tableState(db) });
            await db.close();
          }),
        ),
      );
      const worker = area.start('check-all', { prefixes: [...expected.keys()] });
      for (const [prefix, { pageSize, state }] of expected) {
        expect(await worker.next()).toEqual({
          prefix,
          pageSize,
          integrity: 'ok',
          state,
          integrityAfterVacuum: 'ok',
        });
      }
      expect((await worker.exited).code).toBe(0);
    });
  },
);

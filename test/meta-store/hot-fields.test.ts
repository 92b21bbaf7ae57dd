import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter, MetaStore, SearchQuery } from '../../src/meta-store/index.js';
import { STORE_KINDS } from '../support/stores.js';
import { meta, StoreFixture } from './helpers.js';

/*
 * A declared hot field gets an expression index that searches use: on 600 records (about
 * 140 pages) a cold search by it reads a handful of pages, where the same search on an
 * undeclared field reads them all. Request counts are deterministic, so they are asserted.
 */

const RECORDS = 600;

describe.each(STORE_KINDS)('hot fields: %s', (kind) => {
  let fixture: StoreFixture;

  beforeAll(async () => {
    fixture = new StoreFixture(kind);
    const writer = await fixture.open({ indexedFields: ['email'] });
    await writer.saveMany(
      Array.from({ length: RECORDS }, (_, i) =>
        meta(`id-${String(i).padStart(5, '0')}`, {
          email: `user${i}@example.com`,
          copy: `user${i}@example.com`,
          pad: 'x'.repeat(200),
        }),
      ),
    );
    await writer.close();
  }, 60_000);
  afterAll(() => fixture.cleanup());

  /** GETs of a search by a store with a cold cache, and what it found. */
  const coldSearch = async (query: SearchQuery) => {
    const store: MetaStore = await fixture.open({
      indexedFields: ['email'],
      openOptions: { readAheadMax: 0 },
    });
    fixture.area.store.metrics.reset();
    const found = await store.searchAll(query);
    return {
      found: found.map((m) => m.resourceId),
      gets: fixture.area.store.metrics.snapshot().requests.get,
    };
  };

  it('answers eq, in and a range on a hot field from its index', async () => {
    const email = (op: 'eq' | 'in' | 'gte' | 'lte', value: string | string[]) => ({
      field: 'email',
      op,
      value,
    });
    const queries: Array<[string, Filter[]]> = [
      ['eq', [email('eq', 'user77@example.com')]],
      ['in', [email('in', ['user77@example.com', 'user78@example.com'])]],
      ['a range', [email('gte', `user${RECORDS - 10}@`), email('lte', `user${RECORDS - 1}@`)]],
    ];
    for (const [what, conditions] of queries) {
      const hot = await coldSearch({ conditions });
      const copy = conditions.map((c) => ({ ...c, field: 'copy' }) as Filter);
      const scan = await coldSearch({ conditions: copy });
      expect(hot.found).toEqual(scan.found);
      expect(hot.found.length).toBeGreaterThan(0);
      expect(hot.gets, what).toBeLessThanOrEqual(12);
      expect(scan.gets, what).toBeGreaterThan(100);
    }
  });
});

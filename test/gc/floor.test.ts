import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizePrefix, oldestRetainedKey } from '../../src/format/index.js';
import { collectGarbage, PageCache, Volume } from '../../src/volume/index.js';
import { readOldestRetained } from '../../src/volume/commit-log.js';
import { Interloper } from '../db/interloper.js';
import { later } from '../support/clock.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const P = 1024;

/*
 * Writers tell a collected commit number from a free one by `oldest-retained`
 * (docs/history.md, "Why gc cannot fork history"), so it must never go backwards.
 */
describe.each(STORE_KINDS)('the gc floor only rises: %s', (kind) => {
  let area: TestArea;
  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(() => area.cleanup());

  it('keeps the higher floor when two collections overlap', async () => {
    const writer = await Volume.open(area.store, area.prefix, { cache: new PageCache() });
    for (let v = 1; v <= 6; v++) {
      await writer.beginRead();
      await writer.beginWrite();
      await writer.write(0, new Uint8Array(P).fill(v));
      await writer.commit();
      writer.endRead();
    }
    const prefix = normalizePrefix(area.prefix);
    // The slow collection (keep 4: floor 3) has read the floor and is about to write it when
    // a faster one (keep 1: floor 6) runs from start to end.
    const slow = new Interloper(area.store, area.prefix);
    slow.beforeNextWrite(oldestRetainedKey(prefix), () =>
      collectGarbage(area.store, area.prefix, { keepLast: 1, grace: 0, clock: later }),
    );
    await collectGarbage(slow, area.prefix, { keepLast: 4, grace: 0, clock: later });
    expect(await readOldestRetained(area.store, prefix)).toBe(6);
  });
});

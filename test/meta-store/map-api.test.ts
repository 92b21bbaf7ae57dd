import { encode as encodeMsgpack, ExtData } from '@msgpack/msgpack';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open } from '../../src/db/index.js';
import {
  ClosedError,
  CorruptError,
  InvalidArgumentError,
  NotFoundError,
} from '../../src/errors.js';
import { MetaStore, type ResourceMeta } from '../../src/meta-store/index.js';
import { PageCache } from '../../src/volume/index.js';
import { STORE_KINDS } from '../support/stores.js';
import { ids, meta, StoreFixture } from './helpers.js';

/** Everything a record can hold, including the awkward parts. */
const FULL: ResourceMeta = meta(
  'full',
  {
    text: 'it\'s "quoted" %_;-- ünï 𝄞',
    int: -7,
    float: 0.1 + 0.2,
    big: 2 ** 60,
    yes: true,
    nothing: null,
    when: new Date('2024-02-29T23:59:59.999+05:30'),
    strings: ['a', '', 'b'],
    numbers: [1, 2.5, -3],
    mixed: [null, true, new Date(0), 'x'],
    'user.email': 'dotted@example.com',
    constructor: 'a key named like a property of Object.prototype',
  },
  {
    totalRevisionCount: 12,
    isDeleted: true,
    schemaVersion: 'v3',
    createdBy: 'ünï',
    currentRevisionId: 'r-12',
  },
);

describe.each(STORE_KINDS)('map API: %s', (kind) => {
  let fixture: StoreFixture;
  let store: MetaStore;

  beforeEach(async () => {
    fixture = new StoreFixture(kind);
    store = await fixture.open();
  });
  afterEach(() => fixture.cleanup());

  it('sets, gets, has and deletes', async () => {
    expect(await store.get('full')).toBeUndefined();
    expect(await store.has('full')).toBe(false);
    await store.set('full', FULL);
    expect(await store.get('full')).toEqual(FULL);
    expect(await store.has('full')).toBe(true);
    const changed = { ...FULL, updatedBy: 'bob', indexedData: { only: 1 } };
    await store.set('full', changed);
    expect(await store.get('full')).toEqual(changed);
    await store.delete('full');
    expect(await store.get('full')).toBeUndefined();
    expect(await store.size()).toBe(0);
  });

  it('refuses to delete a missing id with NotFoundError', async () => {
    await store.set('a', meta('a'));
    const error = await store.delete('b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', key: 'b' });
    expect(await store.size()).toBe(1);
  });

  it('fills in the fields older records leave out', async () => {
    const { isDeleted: _d, schemaVersion: _s, indexedData: _i, ...legacy } = meta('old');
    await store.set('old', legacy);
    expect(await store.get('old')).toEqual(
      meta('old', {}, { isDeleted: false, schemaVersion: null }),
    );
  });

  it('refuses malformed records with InvalidArgumentError, writing nothing', async () => {
    const bad: Array<[string, unknown]> = [
      ['another id', meta('other')],
      ['a fractional count', { ...meta('x'), totalRevisionCount: 1.5 }],
      ['an invalid Date', { ...meta('x'), createdTime: new Date('nope') }],
      ['a missing field', { ...meta('x'), createdBy: undefined }],
      ['an object holding a Date', meta('x', { a: { b: new Date(0) } as never })],
      ['a nested list', meta('x', { a: [[1]] as never })],
      ['NaN', meta('x', { a: NaN })],
      ['a __proto__ key', meta('x', JSON.parse('{"__proto__": 1}'))],
      ['a lone surrogate', meta('x', { a: '\uD800' })],
      ['U+0000', meta('x', { a: 'a\u0000b' })],
    ];
    for (const [what, record] of bad) {
      await expect(store.set('x', record as ResourceMeta), what).rejects.toThrow(
        InvalidArgumentError,
      );
    }
    await expect(
      store.saveMany([meta('y'), { ...meta('z'), updatedTime: null } as never]),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(store.get('a\u0000b')).rejects.toThrow(InvalidArgumentError);
    expect(await store.size()).toBe(0);
    expect(store.stats().snapshot.seq).toBe(1); // only the schema's commit
  });

  it('saves many in one commit, the last of an id winning', async () => {
    const before = store.stats().snapshot.seq;
    await store.saveMany([meta('a', { v: 1 }), meta('b'), meta('a', { v: 2 })]);
    expect(store.stats().snapshot.seq).toBe(before + 1);
    expect((await store.get('a'))?.indexedData).toEqual({ v: 2 });
    await store.saveMany([]);
    expect(store.stats().snapshot.seq).toBe(before + 1);
  });

  it('iterates keys, values and entries in id order, across batches', async () => {
    const all = Array.from({ length: 1203 }, (_, i) =>
      meta(`id-${String(i).padStart(4, '0')}`, { i }),
    );
    await store.saveMany([...all].reverse());
    const keys: string[] = [];
    for await (const key of store.keys()) keys.push(key);
    expect(keys).toEqual(ids(all));
    const values: ResourceMeta[] = [];
    for await (const value of store.values()) values.push(value);
    expect(values).toEqual(all);
    let n = 0;
    for await (const [key, value] of store) {
      expect(value.resourceId).toBe(key);
      n++;
    }
    expect(n).toBe(all.length);
    expect(await store.size()).toBe(all.length);
  });

  it('clears everything in one commit', async () => {
    await store.saveMany([meta('a'), meta('b')]);
    const before = store.stats().snapshot.seq;
    await store.clear();
    expect(store.stats().snapshot.seq).toBe(before + 1);
    expect(await store.size()).toBe(0);
    expect(await store.searchAll()).toEqual([]);
  });

  it('round-trips both encodings, and reads each with the other', async () => {
    const packed = await fixture.open({ encoding: 'msgpack' });
    await packed.set('full', FULL);
    await store.set('json', { ...FULL, resourceId: 'json' });
    for (const reader of [store, packed]) {
      expect(await reader.get('full')).toEqual(FULL);
      expect(await reader.get('json')).toEqual({ ...FULL, resourceId: 'json' });
    }
    const raw = await open({ store: fixture.area.store, prefix: fixture.area.prefix });
    const rows = await raw.query<{ resource_id: string; data: Uint8Array }>(
      'SELECT resource_id, data FROM resource_meta ORDER BY resource_id',
    );
    await raw.close();
    expect(rows.map((row) => [row.resource_id, row.data[0] === 0x7b])).toEqual([
      ['full', false],
      ['json', true],
    ]);
    expect(
      ids(
        await packed.searchAll({
          conditions: [{ field: 'when', op: 'eq', value: FULL.indexedData.when as Date }],
        }),
      ),
    ).toEqual(['full', 'json']);
  });

  it('reports a row that does not decode as CorruptError, running nothing in it', async () => {
    await store.saveMany([meta('json'), meta('packed'), meta('ext'), meta('shape')]);
    const raw = await open({ store: fixture.area.store, prefix: fixture.area.prefix });
    const put = (id: string, data: Uint8Array) =>
      raw.run('UPDATE resource_meta SET data = ? WHERE resource_id = ?', [data, id]);
    await put('json', new TextEncoder().encode('{"resourceId": "json", "x": function () {}}'));
    await put('packed', new Uint8Array([0xc1]));
    await put(
      'ext',
      encodeMsgpack({ ...meta('ext'), createdTime: new ExtData(42, new Uint8Array([1])) }),
    );
    await put('shape', new TextEncoder().encode(JSON.stringify({ resourceId: 'shape' })));
    await raw.close();
    const reader = await fixture.open({ readCheckInterval: 0 });
    for (const id of ['json', 'packed', 'ext', 'shape']) {
      const error = await reader.get(id).catch((e: unknown) => e);
      expect(error, id).toBeInstanceOf(CorruptError);
      expect((error as Error).message).toContain(`row "${id}"`);
    }
  });

  it('works on a caller’s open database, and leaves it open', async () => {
    const db = await open(
      { store: fixture.area.store, prefix: fixture.area.prefix },
      { cache: new PageCache() },
    );
    try {
      const shared = await MetaStore.open(db, { table: 'shared', autoSync: false });
      await shared.set('a', meta('a', { n: 1 }));
      expect(await shared.count({ conditions: [{ field: 'n', op: 'regex', value: '1' }] })).toBe(0);
      await shared.close();
      expect(db.closed).toBe(false);
      expect(await db.queryOne('SELECT count(*) AS n FROM shared')).toEqual({ n: 1 });
      await expect(MetaStore.open(db, { readCheckInterval: 100 })).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(MetaStore.open(db, { openOptions: {} })).rejects.toThrow(InvalidArgumentError);
    } finally {
      await db.close();
    }
  });

  it('refuses bad options and a table that is not a metadata store’s', async () => {
    const location = { store: fixture.area.store, prefix: fixture.area.prefix };
    const bad = [
      { table: 'no-dashes' },
      { table: 'sqlite_x' },
      { encoding: 'xml' },
      { onConflict: 'ignore' },
      { syncInterval: -1 },
      { autoSync: false, syncInterval: 10 },
      { readCheckInterval: Infinity },
      { indexedFields: [''] },
    ];
    for (const options of bad) {
      await expect(
        MetaStore.open(location, options as never),
        JSON.stringify(options),
      ).rejects.toThrow(InvalidArgumentError);
    }
    const raw = await open(location);
    await raw.exec('CREATE TABLE other (id TEXT PRIMARY KEY)');
    await raw.close();
    await expect(MetaStore.open(location, { table: 'other' })).rejects.toThrow(/other columns/);
  });

  it('is closed after close(), which may be called twice', async () => {
    await store.set('a', meta('a'));
    await store.close();
    await store.close();
    await expect(store.get('a')).rejects.toThrow(ClosedError);
    await expect(store.set('b', meta('b'))).rejects.toThrow(ClosedError);
  });
});

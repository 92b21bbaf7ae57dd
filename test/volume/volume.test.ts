import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitKey, markerKey, pageKey } from '../../src/format/index.js';
import { FaultInjectingStore, IgnoreConditionalWritesStore } from '../../src/testing/index.js';
import { PageCache, Volume } from '../../src/volume/index.js';
import { standing } from '../support/clock.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const P = 4096;

/** A page whose every byte says which page and version it is. */
function page(pageNo: number, version: number, size = P): Uint8Array {
  return new Uint8Array(size).fill((pageNo * 16 + version) & 0xff);
}

/** A fresh cache per volume, so request counts do not depend on other tests. */
const open = (area: TestArea, options = {}) =>
  Volume.open(area.store, area.prefix, { cache: new PageCache(), ...options });

async function writePages(volume: Volume, pages: Array<[number, number]>): Promise<void> {
  await volume.beginRead();
  await volume.beginWrite();
  for (const [pageNo, version] of pages)
    await volume.write((pageNo - 1) * P, page(pageNo, version));
  await volume.commit();
  volume.endRead();
}

describe.each(STORE_KINDS)('Volume: %s', (kind) => {
  let area: TestArea;
  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(() => area.cleanup());

  it('starts empty, creates the database on its first commit, and reads it back elsewhere', async () => {
    const volume = await open(area);
    expect(volume.snapshot).toMatchObject({ seq: 0, pageCount: 0 });
    expect(volume.size).toBe(0);
    await writePages(volume, [
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(volume.snapshot).toMatchObject({ seq: 1, pageSize: P, pageCount: 3, changedPages: 3 });

    const other = await open(area);
    expect(other.snapshot).toMatchObject({ seq: 1, pageCount: 3 });
    expect(await other.read(P, P)).toEqual(page(2, 1));
    expect(await other.read(P - 10, 20)).toEqual(
      new Uint8Array([...page(1, 1).subarray(P - 10), ...page(2, 1).subarray(0, 10)]),
    );
    expect((await other.read(3 * P - 5, 100)).byteLength).toBe(5);
  });

  it('keeps a pinned snapshot while another volume commits, and moves on refresh', async () => {
    const writer = await open(area);
    await writePages(writer, [[1, 1]]);
    const reader = await open(area);
    await reader.beginRead();
    await writePages(writer, [
      [1, 2],
      [2, 2],
    ]);
    expect(await reader.read(0, P)).toEqual(page(1, 1));
    expect(reader.size).toBe(P);
    reader.endRead();
    await reader.beginRead();
    expect(await reader.read(0, P)).toEqual(page(1, 2));
    expect(reader.size).toBe(2 * P);
  });

  it('lets exactly one of two writers on the same snapshot commit', async () => {
    const a = await open(area);
    await writePages(a, [[1, 1]]);
    const b = await open(area);
    await a.beginWrite();
    await b.beginWrite();
    await a.write(0, page(1, 2));
    await b.write(0, page(1, 3));
    await a.commit();
    const error = await failure(b.commit());
    expect(error.code).toBe('CONFLICT');
    expect(b.snapshot.seq).toBe(1);
    expect(b.inTransaction).toBe(false);
    // b's next write transaction starts stale: refused at once, before any work.
    expect((await failure(b.beginWrite())).code).toBe('CONFLICT');
    await b.refresh();
    expect(await b.read(0, P)).toEqual(page(1, 2));
    expect(b.stats().conflicts).toBe(2);
  });

  it('recognises its own commit when the response to the create was lost', async () => {
    const faulty = new FaultInjectingStore(area.store, { retry: { baseDelayMs: 1 } });
    faulty.inject({ kind: 'lost-response', keys: /commits\// });
    const volume = await Volume.open(faulty, area.prefix, { cache: new PageCache() });
    await writePages(volume, [[1, 1]]);
    expect(volume.snapshot.seq).toBe(1);
    expect(faulty.injected['lost-response']).toBe(1);
    const other = await open(area);
    expect(await other.read(0, P)).toEqual(page(1, 1));
  });

  it('rolls back without a trace', async () => {
    const volume = await open(area);
    await writePages(volume, [[1, 1]]);
    await volume.beginWrite();
    await volume.write(0, page(1, 9));
    await volume.write(P, page(2, 9));
    expect(await volume.read(0, P)).toEqual(page(1, 9));
    await volume.rollback();
    expect(await volume.read(0, P)).toEqual(page(1, 1));
    expect(volume.size).toBe(P);
    expect(volume.snapshot.seq).toBe(1);
  });

  it('uploads pages early past the write buffer, invisible until the commit', async () => {
    const volume = await open(area, { writeBufferBytes: 3 * P });
    await volume.beginWrite();
    for (let n = 1; n <= 10; n++) await volume.write((n - 1) * P, page(n, 1));
    await volume.write(0, page(1, 2));
    expect(volume.stats().pagesUploadedEarly).toBeGreaterThanOrEqual(8);
    const before = await open(area);
    expect(before.snapshot.seq).toBe(0);
    expect(await volume.read(4 * P, P)).toEqual(page(5, 1));
    await volume.commit();
    const after = await open(area);
    for (let n = 1; n <= 10; n++) {
      expect(await after.read((n - 1) * P, P)).toEqual(page(n, n === 1 ? 2 : 1));
    }
  });

  it('keeps a copy of each page written, as SQLite reuses one buffer: through early uploads, reuse of their memory and the commit', async () => {
    const volume = await open(area, { writeBufferBytes: 3 * P });
    await volume.beginWrite();
    const buffer = new Uint8Array(P);
    const write = async (pageNo: number, version: number) => {
      buffer.set(page(pageNo, version));
      await volume.write((pageNo - 1) * P, buffer);
    };
    for (let n = 1; n <= 10; n++) await write(n, 1);
    for (let n = 1; n <= 10; n += 3) await write(n, 2);
    buffer.fill(0xee);
    const expected = (n: number) => page(n, (n - 1) % 3 === 0 ? 2 : 1);
    for (let n = 1; n <= 10; n++) expect(await volume.read((n - 1) * P, P)).toEqual(expected(n));
    await volume.commit();
    const after = await open(area);
    for (let n = 1; n <= 10; n++) expect(await after.read((n - 1) * P, P)).toEqual(expected(n));
  });

  it('removes the pages a rolled-back or losing transaction uploaded early', async () => {
    const prefix = area.prefix.replace(/\/$/, '');
    const pageObjects = async () => {
      const keys = [];
      for await (const o of area.store.listAll(`${prefix}/pages/`)) keys.push(o.key);
      return keys;
    };
    const a = await open(area, { writeBufferBytes: 2 * P });
    await writePages(a, [[1, 1]]);
    const committed = await pageObjects();
    await a.beginWrite();
    for (let n = 1; n <= 6; n++) await a.write((n - 1) * P, page(n, 2));
    expect(a.stats().pagesUploadedEarly).toBeGreaterThan(0);
    await a.rollback();
    expect(await pageObjects()).toEqual(committed);

    const b = await open(area, { writeBufferBytes: 2 * P });
    await a.beginWrite();
    await b.beginWrite();
    for (let n = 1; n <= 6; n++) await b.write((n - 1) * P, page(n, 3));
    await a.write(0, page(1, 4));
    await a.commit();
    expect((await failure(b.commit())).code).toBe('CONFLICT');
    const after = await pageObjects();
    expect(after.filter((key) => !committed.includes(key))).toHaveLength(1);
  });

  it('truncates, reads zeros where the file grew again, and changes page size', async () => {
    const volume = await open(area);
    await writePages(volume, [
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    await volume.beginWrite();
    await volume.truncate(P);
    await volume.write(3 * P, page(4, 1));
    await volume.commit();
    const reread = await open(area);
    expect(reread.snapshot.pageCount).toBe(4);
    expect(await reread.read(P, 2 * P)).toEqual(new Uint8Array(2 * P));
    expect(await reread.read(3 * P, P)).toEqual(page(4, 1));

    await volume.beginWrite();
    await volume.write(0, page(1, 5, 1024));
    await volume.truncate(1024 * 3);
    await volume.commit();
    const small = await open(area);
    expect(small.snapshot).toMatchObject({ pageSize: 1024, pageCount: 3 });
    expect(await small.read(0, 1024)).toEqual(page(1, 5, 1024));
    expect(await small.read(1024, 2048)).toEqual(page(1, 1).subarray(1024, 3072));
  });

  it('answers one-page reads inside a write transaction from its pages, its snapshot and zeros past a cut', async () => {
    const volume = await open(area);
    await writePages(
      volume,
      [1, 2, 3].map((pageNo): [number, number] => [pageNo, 1]),
    );
    await volume.beginWrite();
    await volume.write(0, page(1, 2));
    await volume.truncate(P + P / 2);
    await volume.write(2 * P, page(3, 2));
    expect(await volume.read(0, P)).toEqual(page(1, 2));
    expect(await volume.read(P, P / 4)).toEqual(page(2, 1).subarray(0, P / 4));
    const cut = new Uint8Array(P);
    cut.set(page(2, 1).subarray(0, P / 2));
    expect(await volume.read(P, P)).toEqual(cut);
    expect(await volume.read(2 * P, P)).toEqual(page(3, 2));
    await volume.rollback();
  });

  it('opens with a constant number of requests, reading a checkpoint instead of every commit', async () => {
    const volume = await open(area, { checkpointInterval: 4 });
    for (let i = 1; i <= 10; i++) await writePages(volume, [[i, i]]);
    area.store.metrics.reset();
    const reopened = await open(area, { checkpointInterval: 4 });
    expect(reopened.snapshot.seq).toBe(10);
    const m = area.store.metrics.snapshot();
    // marker + hint + oldest-retained + checkpoint 8 + commits 9, 10 and two probes past the head
    expect(m.requests).toMatchObject({ get: 8, list: 0, put: 0 });
    for (let i = 1; i <= 10; i++) expect(await reopened.read((i - 1) * P, P)).toEqual(page(i, i));
  });

  it('checks the head with two GETs (one round trip) per read transaction and serves cached pages for free', async () => {
    const volume = await open(area);
    await writePages(volume, [[1, 1]]);
    // A clock standing still: the head stays trusted (no hint read) on however busy a machine.
    const reader = await open(area, { clock: standing });
    await reader.beginRead();
    await reader.read(0, P);
    reader.endRead();
    area.store.metrics.reset();
    await reader.beginRead();
    await reader.read(0, 100);
    await reader.read(0, P);
    reader.endRead();
    // The next commit record and the one after it, so that a deleted one is not the end.
    expect(area.store.metrics.snapshot().requests).toMatchObject({ get: 2, put: 0, list: 0 });
  });

  it('opens at a past commit, read-only, and stays there', async () => {
    const volume = await open(area, { checkpointInterval: 3 });
    for (let version = 1; version <= 7; version++) await writePages(volume, [[version, version]]);
    for (const at of [0, 2, 3, 5, 7]) {
      const past = await open(area, { at });
      expect(past.snapshot.seq).toBe(at);
      expect(past.size).toBe(at * P);
      for (let n = 1; n <= at; n++) expect(await past.read((n - 1) * P, P)).toEqual(page(n, n));
      await writePages(volume, [[1, 9]]);
      await past.beginRead();
      expect(past.snapshot.seq).toBe(at);
      expect((await failure(past.beginWrite())).code).toBe('READ_ONLY');
    }
    expect((await failure(open(area, { at: 99 }))).code).toBe('NOT_FOUND');
    expect((await failure(open(area, { at: -1 }))).code).toBe('INVALID_ARGUMENT');
  });

  it('prefetches the whole database at open when asked, so reads cost nothing more', async () => {
    const volume = await open(area);
    await writePages(volume, [
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    const warm = await open(area, { prefetch: true });
    expect(warm.stats().pagesPrefetched).toBe(3);
    area.store.metrics.reset();
    expect(await warm.read(0, 3 * P)).toEqual(
      new Uint8Array([...page(1, 1), ...page(2, 1), ...page(3, 1)]),
    );
    expect(area.store.metrics.snapshot().totalRequests).toBe(0);
  });

  it('commits with one PUT per changed page plus the commit record', async () => {
    const volume = await open(area);
    await writePages(volume, [
      [1, 1],
      [2, 1],
    ]);
    area.store.metrics.reset();
    await writePages(volume, [
      [1, 2],
      [2, 2],
    ]);
    const m = area.store.metrics.snapshot().requests;
    expect(m.put).toBe(3);
    expect(m.list).toBe(0);
  });

  it('reports an altered page object as CORRUPT, naming its key', async () => {
    const volume = await open(area);
    await writePages(volume, [[1, 1]]);
    const key = pageKey(area.prefix.replace(/\/$/, ''), volume.snapshot.txid, 1, 0);
    const objects = [];
    for await (const o of area.store.listAll(key.slice(0, key.lastIndexOf('/') + 1)))
      objects.push(o.key);
    await area.store.put(objects[0] as string, page(1, 7));
    const error = await failure((await open(area)).read(0, P));
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(objects[0]);
  });

  it('refuses a store that ignores conditional writes, unless single-writer', async () => {
    const careless = new IgnoreConditionalWritesStore(area.store);
    const volume = await Volume.open(careless, area.prefix);
    expect((await failure(volume.beginWrite())).code).toBe('UNSAFE_STORE');
    const single = await Volume.open(careless, area.prefix, { singleWriter: true });
    await writePages(single, [[1, 1]]);
    expect(single.snapshot.seq).toBe(1);
  });

  it('refuses prefixes that hold something else, and newer formats', async () => {
    const prefix = area.prefix.replace(/\/$/, '');
    await area.store.put(`${prefix}/data.csv`, new Uint8Array(3));
    expect((await failure(open(area))).code).toBe('NOT_A_DATABASE');
    await area.store.put(
      markerKey(prefix),
      new TextEncoder().encode('{"format":"s3lite","version":99}'),
    );
    const error = await failure(open(area));
    expect(error.code).toBe('FORMAT_VERSION');
    expect(error.message).toContain('99');
  });

  it('reports a torn commit record as CORRUPT', async () => {
    const volume = await open(area);
    await writePages(volume, [[1, 1]]);
    const key = commitKey(area.prefix.replace(/\/$/, ''), 2);
    await area.store.put(key, new TextEncoder().encode('{"v":1,"seq":2'));
    const error = await failure(open(area));
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(key);
  });
});

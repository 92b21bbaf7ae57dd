import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../src/store/index.js';
import { IgnoreConditionalWritesStore } from '../../src/testing/index.js';
import { failure } from '../support/failure.js';
import { createTestArea, TRANSPORT_KINDS, type TestArea } from '../support/stores.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array) => new TextDecoder().decode(body);

async function putMany(store: ObjectStore, keys: string[]): Promise<void> {
  await Promise.all(keys.map((key) => store.put(key, bytes(key))));
}

describe.each(TRANSPORT_KINDS)('ObjectStore conformance: %s', (kind) => {
  let area: TestArea;
  let store: ObjectStore;
  let p: string;

  beforeEach(() => {
    area = createTestArea(kind);
    store = area.store;
    p = area.prefix;
  });
  afterEach(() => area.cleanup());

  it('stores and returns binary bodies with consistent ETags and sizes', async () => {
    const body = new Uint8Array(70_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
    const { etag } = await store.put(`${p}bin`, body);
    expect(etag).toMatch(/^[^"]+$/);
    const got = await store.get(`${p}bin`);
    expect(got.body).toEqual(body);
    expect(got).toMatchObject({ key: `${p}bin`, etag, size: body.byteLength });
    expect(await store.head(`${p}bin`)).toEqual({ key: `${p}bin`, etag, size: body.byteLength });
  });

  it('stores empty objects', async () => {
    await store.put(`${p}empty`, new Uint8Array(0));
    const got = await store.get(`${p}empty`);
    expect(got.body.byteLength).toBe(0);
    expect(got.size).toBe(0);
  });

  it('replaces an object on a plain put and changes its ETag', async () => {
    const first = await store.put(`${p}k`, bytes('one'));
    const second = await store.put(`${p}k`, bytes('two'));
    expect(second.etag).not.toBe(first.etag);
    expect(text((await store.get(`${p}k`)).body)).toBe('two');
  });

  it('keeps keys with unusual characters apart', async () => {
    // A ".." segment cannot be put in a URL that fetch sends (see the next test).
    const dots = kind === 's3-fetch' ? [] : ['..'];
    const keys = ['a b', 'ü/ß', '100%', 'x$', ...dots, '.hidden', 'a/', 'a//b', 'é🙂', 'a+b=c'].map(
      (k) => p + k,
    );
    await putMany(store, keys);
    for (const key of keys) expect(text((await store.get(key)).body)).toBe(key);
    const listed = [];
    for await (const o of store.listAll(p)) listed.push(o.key);
    expect(listed).toEqual(
      [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
  });

  it.runIf(kind === 's3-fetch')(
    'refuses "." and ".." key segments, which URLs would resolve away',
    async () => {
      for (const key of [`${p}..`, `${p}./x`]) {
        const error = await failure(store.put(key, bytes('x')));
        expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
        expect(error.message).toContain('cannot be addressed over fetch');
      }
    },
  );

  it('reports a missing key as NOT_FOUND naming the key', async () => {
    for (const op of [() => store.get(`${p}nope`), () => store.head(`${p}nope`)]) {
      const error = await failure(op());
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain(`${p}nope`);
    }
  });

  it('reads byte ranges and reports the whole size', async () => {
    await store.put(`${p}r`, bytes('0123456789'));
    const mid = await store.get(`${p}r`, { range: { offset: 2, length: 3 } });
    expect(text(mid.body)).toBe('234');
    expect(mid.size).toBe(10);
    expect(text((await store.get(`${p}r`, { range: { offset: 7 } })).body)).toBe('789');
    expect(text((await store.get(`${p}r`, { range: { offset: 8, length: 50 } })).body)).toBe('89');
    expect((await failure(store.get(`${p}r`, { range: { offset: 10 } }))).code).toBe(
      'INVALID_RANGE',
    );
    expect((await failure(store.get(`${p}r`, { range: { offset: -1 } }))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('reads only while the ETag matches (If-Match on GET)', async () => {
    const { etag } = await store.put(`${p}m`, bytes('v1'));
    expect(text((await store.get(`${p}m`, { ifMatch: etag })).body)).toBe('v1');
    expect(text((await store.get(`${p}m`, { ifMatch: etag, range: { offset: 1 } })).body)).toBe(
      '1',
    );
    await store.put(`${p}m`, bytes('v2'));
    expect((await failure(store.get(`${p}m`, { ifMatch: etag }))).code).toBe('PRECONDITION_FAILED');
  });

  it('creates only when absent (If-None-Match: *)', async () => {
    await store.put(`${p}c`, bytes('first'), { ifNoneMatch: '*' });
    const error = await failure(store.put(`${p}c`, bytes('second'), { ifNoneMatch: '*' }));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.message).toContain(`${p}c`);
    expect(text((await store.get(`${p}c`)).body)).toBe('first');
  });

  it('replaces only while the ETag matches (If-Match on PUT)', async () => {
    const { etag } = await store.put(`${p}u`, bytes('v1'));
    const next = await store.put(`${p}u`, bytes('v2'), { ifMatch: etag });
    expect((await failure(store.put(`${p}u`, bytes('v3'), { ifMatch: etag }))).code).toBe(
      'PRECONDITION_FAILED',
    );
    expect(text((await store.get(`${p}u`)).body)).toBe('v2');
    await store.put(`${p}u`, bytes('v3'), { ifMatch: `"${next.etag}"` });
    expect(text((await store.get(`${p}u`)).body)).toBe('v3');
    expect((await failure(store.put(`${p}missing`, bytes('x'), { ifMatch: etag }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await failure(store.head(`${p}missing`))).code).toBe('NOT_FOUND');
  });

  it('streams objects larger than one multipart part in and out', async () => {
    const size = 9 * 1024 * 1024 + 12345;
    const chunk = (i: number) => new Uint8Array(1 << 20).map((_, j) => (i * 31 + j) & 0xff);
    async function* chunks() {
      let sent = 0;
      for (let i = 0; sent < size; i++) {
        const next = chunk(i).subarray(0, Math.min(1 << 20, size - sent));
        sent += next.byteLength;
        yield next;
      }
    }
    store.metrics.reset();
    const { etag } = await store.putStream(`${p}big`, chunks());
    expect(store.metrics.snapshot().bytesOut).toBe(size);
    const { info, body } = await store.getStream(`${p}big`);
    expect(info).toEqual({ key: `${p}big`, etag, size });
    const parts: Uint8Array[] = [];
    for await (const part of body) parts.push(part);
    const expected: Uint8Array[] = [];
    for await (const part of chunks()) expected.push(part);
    expect(Buffer.concat(parts).equals(Buffer.concat(expected))).toBe(true);
    expect((await store.head(`${p}big`)).etag).toBe(etag);
    const stale = etag.slice(0, -1) + (etag.endsWith('0') ? '1' : '0');
    expect((await failure(store.getStream(`${p}big`, { ifMatch: stale }))).code).toBe(
      'PRECONDITION_FAILED',
    );
    expect((await failure(store.getStream(`${p}none`))).code).toBe('NOT_FOUND');
  });

  it('deletes one key, idempotently', async () => {
    await store.put(`${p}d`, bytes('x'));
    await store.delete(`${p}d`);
    expect((await failure(store.get(`${p}d`))).code).toBe('NOT_FOUND');
    await store.delete(`${p}d`);
  });

  it('lists in key order, by prefix, page by page', async () => {
    const keys = ['a', 'a-b', 'a/b', 'a/b/c', 'a0', 'b', 'ab/x'].map((k) => p + k);
    await putMany(store, keys);
    await store.put(`${p.slice(0, -1)}-outside`, bytes('x'));
    try {
      const page = await store.list(p);
      expect(page.truncated).toBe(false);
      expect(page.objects.map((o) => o.key)).toEqual(
        ['a', 'a-b', 'a/b', 'a/b/c', 'a0', 'ab/x', 'b'].map((k) => p + k),
      );
      expect(page.objects[0]).toMatchObject({ size: p.length + 1 });
      // Written moments ago, by the store's clock (which may differ a little from ours).
      for (const object of page.objects) {
        expect(object.lastModified).toBeInstanceOf(Date);
        expect(Math.abs(Date.now() - (object.lastModified as Date).getTime())).toBeLessThan(60_000);
      }
      expect((await store.list(`${p}a/`)).objects.map((o) => o.key)).toEqual([
        `${p}a/b`,
        `${p}a/b/c`,
      ]);
      expect((await store.list(`${p}a/b`)).objects.map((o) => o.key)).toEqual([
        `${p}a/b`,
        `${p}a/b/c`,
      ]);
      expect((await store.list(`${p}zz`)).objects).toEqual([]);

      const first = await store.list(p, { maxKeys: 3 });
      expect(first.truncated).toBe(true);
      expect(first.objects.map((o) => o.key)).toEqual([`${p}a`, `${p}a-b`, `${p}a/b`]);
      const rest = await store.list(p, { startAfter: `${p}a/b`, maxKeys: 3 });
      expect(rest.objects.map((o) => o.key)).toEqual([`${p}a/b/c`, `${p}a0`, `${p}ab/x`]);
      expect((await store.list(p, { startAfter: `${p}a/a` })).objects[0]?.key).toBe(`${p}a/b`);
      expect((await store.list(p, { startAfter: `${p}ab/x` })).objects.map((o) => o.key)).toEqual([
        `${p}b`,
      ]);
    } finally {
      await store.delete(`${p.slice(0, -1)}-outside`);
    }
  });

  it('lists and batch-deletes more than 1,000 keys, 1,000 per request', async () => {
    const keys = Array.from({ length: 1100 }, (_, i) => `${p}many/${String(i).padStart(5, '0')}`);
    await putMany(store, keys);
    store.metrics.reset();
    const listed: string[] = [];
    for await (const o of store.listAll(`${p}many/`)) listed.push(o.key);
    expect(listed).toEqual(keys);
    expect(store.metrics.snapshot().requests.list).toBe(2);

    await store.deleteMany([...keys, `${p}never-existed`]);
    expect(store.metrics.snapshot().requests.deleteMany).toBe(2);
    expect((await store.list(`${p}many/`)).objects).toEqual([]);
  });

  it('lets exactly one of 8 concurrent create-only PUTs win, 50 times over', async () => {
    for (let round = 0; round < 50; round++) {
      const key = `${p}race/${round}`;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, writer) =>
          store.put(key, bytes(`writer ${writer}`), { ifNoneMatch: '*' }),
        ),
      );
      const winners = results.flatMap((r, writer) => (r.status === 'fulfilled' ? [writer] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected')
          expect((r.reason as { code: string }).code).toBe('PRECONDITION_FAILED');
      }
      expect(text((await store.get(key)).body)).toBe(`writer ${winners[0]}`);
    }
  });

  it('keeps create-only semantics between two store objects (two processes)', async () => {
    const other = area.reopen();
    await store.put(`${p}shared`, bytes('mine'), { ifNoneMatch: '*' });
    expect(
      (await failure(other.put(`${p}shared`, bytes('theirs'), { ifNoneMatch: '*' }))).code,
    ).toBe('PRECONDITION_FAILED');
    expect(text((await other.get(`${p}shared`)).body)).toBe('mine');
  });

  it('finds that it honours conditional writes, and that a wrapper ignoring them does not', async () => {
    expect(await store.probeConditionalWrites(p)).toEqual({ ifNoneMatch: true, ifMatch: true });
    const careless = new IgnoreConditionalWritesStore(store);
    expect(await careless.probeConditionalWrites(p)).toEqual({
      ifNoneMatch: false,
      ifMatch: false,
    });
    expect((await store.list(p)).objects).toEqual([]);
  });

  it('counts requests and bytes, and resets', async () => {
    store.metrics.reset();
    await store.put(`${p}m1`, bytes('12345'));
    await store.get(`${p}m1`);
    await store.head(`${p}m1`);
    await failure(store.get(`${p}absent`));
    const m = store.metrics.snapshot();
    expect(m.requests).toMatchObject({ put: 1, get: 2, head: 1, list: 0 });
    expect(m.totalRequests).toBe(4);
    expect(m.bytesOut).toBe(5);
    expect(m.bytesIn).toBe(5);
    expect(m.errors).toEqual({ NOT_FOUND: 1 });
    expect(m.retries).toBe(0);
    expect(m.latency.count).toBe(4);
    expect(m.latency.p95).toBeGreaterThan(0);
    store.metrics.reset();
    expect(store.metrics.snapshot().totalRequests).toBe(0);
  });

  it('stops at once when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await failure(store.get(`${p}x`, { signal: controller.signal }))).code).toBe('ABORTED');
  });

  it('rejects invalid keys before sending anything', async () => {
    store.metrics.reset();
    expect((await failure(store.put('', bytes('x')))).code).toBe('INVALID_ARGUMENT');
    expect((await failure(store.get('k'.repeat(1025)))).code).toBe('INVALID_ARGUMENT');
    expect(store.metrics.snapshot().totalRequests).toBe(0);
  });
});

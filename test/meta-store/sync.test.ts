import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetaStore, SyncConflictError } from '../../src/meta-store/index.js';
import type { ObjectStore } from '../../src/store/types.js';
import { standing } from '../support/clock.js';
import { STORE_KINDS } from '../support/stores.js';
import { ids, meta, StoreFixture } from './helpers.js';

/*
 * Two instances are two MetaStore objects, each with its own connection, page cache and (on
 * FileStore and S3) store object, on the same prefix: as two processes would be.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(STORE_KINDS)('sync and concurrency: %s', (kind) => {
  let fixture: StoreFixture;
  /** Another store object on the same data (the same object for MemoryStore). */
  let other: ObjectStore;
  /** Requests the store objects of both instances received while `fn` ran. */
  const requests = async (fn: () => Promise<unknown>) => {
    const stores = [...new Set([fixture.area.store, other])];
    for (const store of stores) store.metrics.reset();
    await fn();
    const total = { get: 0, put: 0, list: 0, head: 0 };
    for (const store of stores) {
      const counts = store.metrics.snapshot().requests;
      for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += counts[key];
    }
    return total;
  };
  const allIds = async (store: MetaStore) => ids(await store.searchAll({ limit: Infinity }));

  beforeEach(() => {
    fixture = new StoreFixture(kind);
    other = fixture.area.reopen();
  });
  afterEach(async () => {
    await fixture.cleanup();
    if (other !== fixture.area.store) await other.close();
  });

  it('commits each write with autoSync: one commit, a PUT per changed page and the record', async () => {
    const a = await fixture.open();
    await a.set('warm', meta('warm'));
    const before = a.stats().snapshot.seq;
    const counts = await requests(() => a.set('x', meta('x', { n: 1 })));
    const { seq, changedPages } = a.stats().snapshot;
    expect(seq).toBe(before + 1);
    // The head probes (the next two commit records) at the read and at the write lock.
    expect(counts).toEqual({ get: 4, put: changedPages + 1, list: 0, head: 0 });
  });

  // The interval is far longer than the test, so no timer fires while the requests are
  // counted however slow the machine is; the timer itself is tested alone below. The clock
  // stands still so that the head seen at open is still trusted at the delete's check (two
  // probes, not three with the hint) on a machine too busy to reach it within 2 s.
  it('groups the writes of a syncInterval into one commit', async () => {
    const a = await fixture.open({ syncInterval: 60_000, openOptions: { clock: standing } });
    const b = await fixture.open({ readCheckInterval: 0 }, other);
    const before = a.stats().snapshot.seq;
    const buffered = await requests(async () => {
      for (let i = 0; i < 20; i++) await a.set(`id${i}`, meta(`id${i}`, { i }));
      await a.delete('id3');
    });
    // Buffering costs nothing but the delete's check that the id exists on the head (its two
    // probes).
    expect(buffered).toEqual({ get: 2, put: 0, list: 0, head: 0 });
    expect(a.pending).toBe(20);
    expect(await a.size()).toBe(19);
    expect(await b.size()).toBe(0);
    await a.sync();
    const { seq, changedPages } = a.stats().snapshot;
    expect(seq).toBe(before + 1);
    expect(changedPages).toBeLessThan(20);
    expect(await b.size()).toBe(19);
  });

  it('commits a syncInterval buffer by a timer', async () => {
    const a = await fixture.open({ syncInterval: 100 });
    const before = a.stats().snapshot.seq;
    await a.set('x', meta('x'));
    // Nothing else commits here: the one write is committed by the timer, whenever it fires.
    await expect.poll(() => a.pending, { timeout: 30_000, interval: 50 }).toBe(0);
    expect(a.stats().snapshot.seq).toBe(before + 1);
  });

  it('commits at the first write past the interval when the timer cannot fire', async () => {
    const a = await fixture.open({ syncInterval: 50 });
    const before = a.stats().snapshot.seq;
    const started = Date.now();
    // Buffered writes on MemoryStore never wait for I/O, so this loop never lets a timer run.
    // At least two writes, however slow the machine: the second is past the interval.
    for (let i = 0; i < 2 || Date.now() - started < 200; i++) {
      await a.set(`id${i}`, meta(`id${i}`));
    }
    expect(a.stats().snapshot.seq).toBeGreaterThan(before);
  });

  it('commits the syncInterval buffer with one PUT per changed page and the record', async () => {
    const a = await fixture.open({ syncInterval: 60_000 });
    for (let i = 0; i < 10; i++) await a.set(`id${i}`, meta(`id${i}`));
    const counts = await requests(() => a.sync());
    expect(counts).toEqual({ get: 4, put: a.stats().snapshot.changedPages + 1, list: 0, head: 0 });
  });

  it('flushes on close()', async () => {
    const a = await fixture.open({ autoSync: false });
    const b = await fixture.open({ syncInterval: 60_000 });
    await a.saveMany([meta('a1'), meta('a2')]);
    await b.set('b1', meta('b1'));
    await a.close();
    await b.close();
    const reader = await fixture.open({}, other);
    expect(await allIds(reader)).toEqual(['a1', 'a2', 'b1']);
  });

  it('shows its buffered writes to its own reads only', async () => {
    const a = await fixture.open({ autoSync: false });
    const b = await fixture.open({ readCheckInterval: 0 }, other);
    await a.saveMany([meta('x', { v: 'old' }), meta('y')]);
    await a.sync();
    await a.set('x', meta('x', { v: 'new' }));
    await a.set('z', meta('z'));
    await a.delete('y');
    expect(await allIds(a)).toEqual(['x', 'z']);
    expect((await a.get('x'))?.indexedData).toEqual({ v: 'new' });
    expect(await a.has('y')).toBe(false);
    expect(await a.count({ conditions: [{ field: 'v', op: 'eq', value: 'new' }] })).toBe(1);
    const keys: string[] = [];
    for await (const key of a.keys()) keys.push(key);
    expect(keys).toEqual(['x', 'z']);
    expect(await allIds(b)).toEqual(['x', 'y']);
    expect((await b.get('x'))?.indexedData).toEqual({ v: 'old' });
    await a.discard();
    expect(await allIds(a)).toEqual(['x', 'y']);
  });

  it('lets a read be readCheckInterval stale, at no request, then sees the other’s write', async () => {
    const writer = await fixture.open();
    // Longer than any test: however slow the requests, its reads are held while counted.
    const holding = await fixture.open({ readCheckInterval: 600_000 }, other);
    const interval = 200;
    const checking = await fixture.open({ readCheckInterval: interval }, other);
    // These reads check the head, and bring the pages they need into the cache.
    for (const reader of [holding, checking]) {
      expect(await reader.get('x')).toBeUndefined();
      expect(await reader.size()).toBe(0);
    }
    await writer.set('x', meta('x'));
    const held = await requests(async () => {
      expect(await holding.get('x')).toBeUndefined();
      expect(await holding.size()).toBe(0);
    });
    expect(held).toEqual({ get: 0, put: 0, list: 0, head: 0 });
    // The interval has passed since `checking` last checked (before the write), whatever the load.
    await sleep(interval + 20);
    const checked = await requests(async () => expect(await checking.get('x')).toBeDefined());
    expect(checked.get).toBeGreaterThanOrEqual(1);
    expect(checked).toMatchObject({ put: 0, list: 0, head: 0 });
  });

  it('checks the head at every read with readCheckInterval 0', async () => {
    const writer = await fixture.open();
    const reader = await fixture.open({ readCheckInterval: 0 }, other);
    expect(await reader.get('x')).toBeUndefined();
    await writer.set('x', meta('x'));
    expect(await reader.get('x')).toBeDefined();
    const counts = await requests(() => reader.get('x'));
    expect(counts).toEqual({ get: 2, put: 0, list: 0, head: 0 });
  });

  it('keeps both instances’ writes of different ids made at the same time', async () => {
    const a = await fixture.open();
    const b = await fixture.open({}, other);
    const write = (store: MetaStore, prefix: string) =>
      Promise.all(
        Array.from({ length: 8 }, (_, i) => store.set(`${prefix}${i}`, meta(`${prefix}${i}`))),
      );
    await Promise.all([write(a, 'a'), write(b, 'b')]);
    const reader = await fixture.open({ readCheckInterval: 0 });
    expect(await allIds(reader)).toHaveLength(16);
    expect(await reader.size()).toBe(16);
  });

  it('resolves writes of one id from both by the last commit, losing nothing else', async () => {
    const a = await fixture.open({ syncInterval: 60_000 });
    const b = await fixture.open({ syncInterval: 60_000 }, other);
    await a.saveMany([meta('shared', { by: 'a' }), meta('only-a')]);
    await b.saveMany([meta('shared', { by: 'b' }), meta('only-b')]);
    await Promise.all([a.sync(), b.sync()]);
    const last = a.stats().snapshot.seq > b.stats().snapshot.seq ? 'a' : 'b';
    expect(a.stats().snapshot.seq).not.toBe(b.stats().snapshot.seq);
    const reader = await fixture.open({ readCheckInterval: 0 });
    expect(await allIds(reader)).toEqual(['only-a', 'only-b', 'shared']);
    expect((await reader.get('shared'))?.indexedData).toEqual({ by: last });
  });

  it('re-applies buffered writes on another instance’s newer head (onConflict: retry)', async () => {
    const a = await fixture.open({ autoSync: false });
    const b = await fixture.open({}, other);
    await a.set('x', meta('x'));
    await b.set('y', meta('y'));
    await a.sync();
    const reader = await fixture.open({ readCheckInterval: 0 });
    expect(await allIds(reader)).toEqual(['x', 'y']);
  });

  it('raises SyncConflictError naming both commits, keeping the writes (onConflict: error)', async () => {
    const a = await fixture.open({ onConflict: 'error' });
    const b = await fixture.open({}, other);
    const seen = a.stats().snapshot.seq;
    await b.set('y', meta('y'));
    const head = b.stats().snapshot.seq;
    const error = await a.set('x', meta('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncConflictError);
    expect(error).toMatchObject({
      code: 'CONFLICT',
      localCommit: seen,
      headCommit: head,
      pending: 1,
    });
    expect((error as Error).message).toContain(`commit ${seen}`);
    expect((error as Error).message).toContain(`commit ${head}`);
    expect(a.pending).toBe(1);
    expect(await a.has('x')).toBe(true);
    await expect(a.sync()).rejects.toThrow(SyncConflictError);
    await a.sync({ onConflict: 'retry' });
    expect(a.pending).toBe(0);
    const reader = await fixture.open({ readCheckInterval: 0 });
    expect(await allIds(reader)).toEqual(['x', 'y']);
    // Having seen the head, it writes again without conflict.
    await a.set('z', meta('z'));
    expect(await reader.size()).toBe(3);
  });

  it('drops conflicting writes on discard(), and tells onSyncError of a timer’s failure', async () => {
    const failures: Error[] = [];
    const a = await fixture.open({
      onConflict: 'error',
      syncInterval: 100,
      onSyncError: (error) => failures.push(error),
    });
    const b = await fixture.open({}, other);
    // a has not read since b's commit, so its write is based on the commit before.
    await b.set('y', meta('y'));
    await a.set('x', meta('x'));
    await expect.poll(() => failures.length, { timeout: 5000, interval: 20 }).toBe(1);
    expect(failures[0]).toBeInstanceOf(SyncConflictError);
    expect(a.pending).toBe(1);
    await a.discard();
    expect(await allIds(a)).toEqual(['y']);
  });
});

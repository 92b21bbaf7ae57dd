import { describe, expect, it } from 'vitest';
import { PageCache } from '../../src/volume/page-cache.js';
import { PageSlabs } from '../../src/volume/page-slabs.js';

const KiB = 1024;

function page(size: number, fill: number): Uint8Array {
  return new Uint8Array(size).fill(fill);
}

describe('PageCache', () => {
  it('keeps a copy of a page and hands out copies: nobody changes what others read', async () => {
    const cache = new PageCache(64 * KiB);
    const written = page(4 * KiB, 1);
    cache.set('a', written);
    written.fill(2);
    const first = cache.get('a')!;
    expect(first[0]).toBe(1);
    first.fill(3);
    expect(cache.get('a')![0]).toBe(1);
    const { page: hit } = await cache.getOrLoad('a', () => Promise.reject(new Error('no load')));
    hit.fill(4);
    expect(cache.get('a')![0]).toBe(1);
  });

  it('reuses the memory of evicted pages: churning a full cache holds no more than it did full', () => {
    const cache = new PageCache(256 * KiB);
    for (let n = 0; n < 64; n++) cache.set(`p${n}`, page(4 * KiB, n));
    const full = cache.memoryBytes;
    expect(full).toBe(256 * KiB);
    for (let n = 64; n < 64 * 20; n++) {
      cache.set(`p${n}`, page(4 * KiB, n % 256));
      expect(cache.memoryBytes).toBeLessThanOrEqual(full + 256 * KiB);
    }
    expect(cache.size).toBe(256 * KiB);
    // The newest pages, intact after their slots were reused many times.
    for (let n = 64 * 20 - 64; n < 64 * 20; n++) expect(cache.get(`p${n}`)![4095]).toBe(n % 256);
    expect(cache.get('p0')).toBeUndefined();
  });

  it('lets the memory of a page size go once its pages are gone', () => {
    const cache = new PageCache(256 * KiB);
    for (let n = 0; n < 64; n++) cache.set(`small${n}`, page(4 * KiB, 1));
    for (let n = 0; n < 4; n++) cache.set(`large${n}`, page(64 * KiB, 2));
    expect(cache.get('small63')).toBeUndefined();
    expect(cache.memoryBytes).toBe(256 * KiB);
    cache.clear();
    expect(cache.memoryBytes).toBe(0);
  });

  it('keeps an object larger than a page as it is, counted once however often it is set', () => {
    const cache = new PageCache(1024 * KiB);
    const block = page(128 * KiB, 5);
    cache.set('block', block);
    cache.set('block', block);
    expect(cache.get('block')).toBe(block);
    expect(cache.memoryBytes).toBe(128 * KiB);
    cache.set('block', page(128 * KiB, 6));
    expect(cache.memoryBytes).toBe(128 * KiB);
  });

  it('keeps an empty object (a missing block) without a slot', async () => {
    const cache = new PageCache(64 * KiB);
    cache.set('empty', new Uint8Array(0));
    expect(cache.get('empty')!.byteLength).toBe(0);
    expect((await cache.getOrLoad('gone', async () => new Uint8Array(0))).page.byteLength).toBe(0);
    expect(cache.get('gone')!.byteLength).toBe(0);
    expect(cache.memoryBytes).toBe(0);
  });

  it('takes no memory for a page larger than the whole cache', () => {
    const cache = new PageCache(1000);
    for (let n = 0; n < 100; n++) cache.set(`p${n}`, page(4 * KiB, 1));
    expect(cache.get('p0')).toBeUndefined();
    expect(cache.memoryBytes).toBe(0);
  });
});

describe('PageSlabs', () => {
  it('hands out slots of one slab until it is full, and reuses a slot given back', () => {
    const slabs = new PageSlabs();
    const slots = Array.from({ length: 64 }, (_, n) => slabs.hold(page(4 * KiB, n)));
    expect(slabs.bytes).toBe(256 * KiB);
    expect(new Set(slots.map((slot) => slot.bytes.buffer)).size).toBe(1);
    slabs.release(slots[10]!);
    const again = slabs.hold(page(4 * KiB, 99));
    expect(again.bytes.byteOffset).toBe(slots[10]!.bytes.byteOffset);
    expect(slabs.bytes).toBe(256 * KiB);
    expect(slots[11]!.bytes[0]).toBe(11);
    slabs.hold(page(4 * KiB, 100));
    expect(slabs.bytes).toBe(512 * KiB);
  });

  it('takes back a slot of a full slab after the other slab of its size was let go', () => {
    const slabs = new PageSlabs();
    const full = Array.from({ length: 4 }, () => slabs.hold(page(64 * KiB, 1)));
    const other = slabs.hold(page(64 * KiB, 2));
    slabs.release(other);
    expect(slabs.bytes).toBe(256 * KiB);
    slabs.release(full[0]!);
    const again = slabs.hold(page(64 * KiB, 3));
    expect(again.bytes.byteOffset).toBe(full[0]!.bytes.byteOffset);
    expect(slabs.bytes).toBe(256 * KiB);
  });

  it('lets a slab go when its last slot is given back', () => {
    const slabs = new PageSlabs();
    const slots = Array.from({ length: 5 }, () => slabs.hold(page(64 * KiB, 1)));
    expect(slabs.bytes).toBe(512 * KiB);
    for (const slot of slots.slice(0, 4)) slabs.release(slot);
    expect(slabs.bytes).toBe(256 * KiB);
    slabs.release(slots[4]!);
    expect(slabs.bytes).toBe(0);
  });
});

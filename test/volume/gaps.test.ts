import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptError } from '../../src/errors.js';
import { commitKey, normalizePrefix } from '../../src/format/index.js';
import { PageCache, Volume } from '../../src/volume/index.js';
import { steppedClock } from '../support/clock.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const P = 4096;

const open = (area: TestArea) =>
  Volume.open(area.store, area.prefix, { cache: new PageCache(), checkpointInterval: 8 });

async function commitPage(volume: Volume, version: number): Promise<void> {
  await volume.beginRead();
  await volume.beginWrite();
  await volume.write(0, new Uint8Array(P).fill(version));
  await volume.commit();
  volume.endRead();
}

/*
 * Invariant 10: a missing commit record between the checkpoint and later records is a gap,
 * reported as CORRUPT naming the key, never a silent rollback to the commit before it.
 */
describe.each(STORE_KINDS)('gaps in the commit chain: %s', (kind) => {
  let area: TestArea;
  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(() => area.cleanup());
  const key = (seq: number) => commitKey(normalizePrefix(area.prefix), seq);

  it('refuses to open a database whose commit record after the checkpoint is missing', async () => {
    const writer = await open(area);
    for (let v = 1; v <= 11; v++) await commitPage(writer, v);
    await writer.close();
    // Checkpoint at 8; records 9, 10, 11 after it. Losing 9 must not show head 8.
    await area.store.delete(key(9));
    const error = await failure(open(area));
    expect(error).toBeInstanceOf(CorruptError);
    expect((error as CorruptError).key).toBe(key(9));
  });

  it('finds a gap that ends a probe batch with one probe past it', async () => {
    const writer = await open(area);
    for (let v = 1; v <= 13; v++) await commitPage(writer, v);
    await writer.close();
    // Opening probes 9–12 in one batch: 12 missing is the batch's last, 13 lies past it.
    await area.store.delete(key(12));
    const error = await failure(open(area));
    expect((error as CorruptError).key).toBe(key(12));
  });

  it('reports a missing commit with later ones as a gap when opened by number', async () => {
    const writer = await open(area);
    for (let v = 1; v <= 6; v++) await commitPage(writer, v);
    await area.store.delete(key(3));
    for (const at of [3, 4]) {
      const error = await failure(
        Volume.open(area.store, area.prefix, { cache: new PageCache(), at }),
      );
      expect((error as CorruptError).key).toBe(key(3));
    }
  });

  it('reports a gap met while catching up, and does not write past it', async () => {
    const writer = await open(area);
    await commitPage(writer, 1);
    const reader = await open(area);
    for (let v = 2; v <= 6; v++) await commitPage(writer, v);
    await area.store.delete(key(3));
    await reader.beginRead();
    const error = await failure(reader.refresh());
    expect((error as CorruptError).key).toBe(key(3));
    expect(reader.snapshot.seq).toBe(1);
  });

  it('reports the next record deleted by hand right after the head was seen, not the old head', async () => {
    const writer = await open(area);
    await commitPage(writer, 1);
    const reader = await open(area);
    await reader.beginRead();
    reader.endRead();
    for (let v = 2; v <= 3; v++) await commitPage(writer, v);
    // Within the 2 s in which the reader trusts its head, GC cannot have taken record 2.
    await area.store.delete(key(2));
    const error = await failure(reader.beginRead());
    expect(error).toBeInstanceOf(CorruptError);
    expect((error as CorruptError).key).toBe(key(2));
    expect(reader.snapshot.seq).toBe(1);
  });

  it('never re-creates a record deleted by hand while a later one exists', async () => {
    const first = await open(area);
    await commitPage(first, 1);
    const writer = await open(area);
    await writer.beginRead();
    for (let v = 2; v <= 3; v++) await commitPage(first, v);
    await area.store.delete(key(2));
    const error = await failure(writer.beginWrite());
    expect((error as CorruptError).key).toBe(key(2));
    writer.endRead();
    expect(await area.store.head(key(2)).catch(() => 'absent')).toBe('absent');
  });

  it('checks the head again before creating the record of a transaction that ran for seconds', async () => {
    const first = await open(area);
    await commitPage(first, 1);
    const clock = steppedClock();
    const slow = await Volume.open(area.store, area.prefix, {
      cache: new PageCache(),
      checkpointInterval: 8,
      clock,
    });
    await slow.beginRead();
    await slow.beginWrite();
    await slow.write(0, new Uint8Array(P).fill(9));
    for (let v = 2; v <= 3; v++) await commitPage(first, v);
    await area.store.delete(key(2));
    clock.step(3000);
    const error = await failure(slow.commit());
    expect((error as CorruptError).key).toBe(key(2));
    expect(await area.store.head(key(2)).catch(() => 'absent')).toBe('absent');
  });
});

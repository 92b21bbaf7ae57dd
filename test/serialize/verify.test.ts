import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportVerifyError, importDatabase, open } from '../../src/index.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const PAGE = 1024;
const dir = mkdtempSync(path.join(tmpdir(), 's3lite-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'good.sqlite');
// 88 pages of 1 KiB: table t's root (page 2) is an interior page; dropping `gone` leaves a
// freelist (trunk page 79). More than 64 KiB, so a 64 KiB buffer uploads pages early.
execFileSync('sqlite3', [
  file,
  `PRAGMA page_size=${PAGE}; CREATE TABLE t(v);
   INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300)
     SELECT randomblob(200) FROM c;
   CREATE TABLE gone(v);
   INSERT INTO gone WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 40)
     SELECT randomblob(200) FROM c;
   DROP TABLE gone;`,
]);
const good = readFileSync(file);

/** `bytes` with the 4-byte big-endian `value` at `offset` (page numbers in SQLite's format). */
function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  new DataView(copy.buffer).setUint32(offset, value);
  return copy;
}

function pageOffset(pageNo: number): number {
  return (pageNo - 1) * PAGE;
}

const freelistTrunk = new DataView(good.buffer, good.byteOffset).getUint32(32);

/** Files with a sound header and length but a broken structure, and what SQLite must find. */
const BROKEN: Array<[string, Uint8Array, RegExp]> = [
  [
    'garbage in a page',
    Uint8Array.from(good).fill(0xa5, pageOffset(3), pageOffset(4)),
    /Page 3|malformed/,
  ],
  [
    'a B-tree loop (an interior page pointing at itself)',
    // Bytes 8-11 of an interior table page: its right-most child.
    withUint32(good, pageOffset(2) + 8, 2),
    /2nd reference to page 2/,
  ],
  [
    'a freelist loop (a trunk page naming itself as the next trunk)',
    withUint32(good, pageOffset(freelistTrunk), freelistTrunk),
    new RegExp(`freelist: 2nd reference to page ${freelistTrunk}`, 'i'),
  ],
];

describe.each(STORE_KINDS)('import verifies the structure it staged: %s', (kind) => {
  let area: TestArea;
  let target: { store: TestArea['store']; prefix: string };
  beforeEach(() => {
    area = createTestArea(kind);
    target = { store: area.store, prefix: `${area.prefix}db` };
  });
  afterEach(() => area.cleanup());

  /** Keys left under the test's prefix but the layout marker (which holds no database). */
  async function keysLeft(): Promise<string[]> {
    const left = [];
    for await (const object of area.store.listAll(area.prefix)) left.push(object.key);
    return left.filter((key) => !key.endsWith('/s3lite.json'));
  }

  it('the unbroken file is sound (the broken ones differ from it only as described)', async () => {
    await importDatabase(good, target);
    const db = await open(target);
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(await db.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 300 });
    await db.close();
  });

  describe.each([
    ['all pages in the buffer', 16 * 1024 * 1024],
    ['pages uploaded early', 65536],
  ])('%s', (_, bufferBytes) => {
    it.each(BROKEN)('refuses %s, leaving nothing visible', async (_, input, finding) => {
      const error = await failure(
        importDatabase(input, target, { name: 'bad.sqlite', bufferBytes }),
      );
      expect(error).toBeInstanceOf(ImportVerifyError);
      expect(error.code).toBe('IMPORT_VERIFY_FAILED');
      expect(error.message).toContain('bad.sqlite');
      expect(error.message).toMatch(finding);
      expect((error as ImportVerifyError).findings.join('\n')).toMatch(finding);
      expect(await keysLeft()).toEqual([]);
      const db = await open(target);
      expect(db.stats().snapshot.seq).toBe(0);
      await db.close();
    });
  });

  it('leaves the previous database intact when a broken overwrite is refused', async () => {
    await importDatabase(good, target);
    const error = await failure(
      importDatabase(BROKEN[1]![1], target, { overwrite: true, bufferBytes: 65536 }),
    );
    expect(error.code).toBe('IMPORT_VERIFY_FAILED');
    const db = await open(target);
    expect(db.stats().snapshot.seq).toBe(1);
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    await db.close();
  });

  it('verify: false skips the check (a trusted file): the broken file is imported', async () => {
    const summary = await importDatabase(BROKEN[2]![1], target, { verify: false });
    expect(summary.commit).toBe(1);
  });

  it('costs no request while the staged pages are in the buffer, one GET per page uploaded early', async () => {
    const requests = async (prefix: string, options: { verify: boolean; bufferBytes?: number }) =>
      (
        await importDatabase(
          good,
          { store: area.store, prefix: `${area.prefix}${prefix}` },
          options,
        )
      ).requests;
    // The first write to a store probes its conditional writes: out of the counts below.
    await requests('warm-up', { verify: false });
    expect(await requests('a', { verify: true })).toEqual(await requests('b', { verify: false }));
    const early = await requests('c', { verify: true, bufferBytes: 65536 });
    const unverified = await requests('d', { verify: false, bufferBytes: 65536 });
    expect({ ...early, get: unverified.get }).toEqual(unverified);
    // Each page uploaded before the check is read back once (SQLite's cache keeps it after).
    expect(early.get! - unverified.get!).toBeGreaterThan(0);
    expect(early.get! - unverified.get!).toBeLessThanOrEqual(good.byteLength / PAGE);
  });
});

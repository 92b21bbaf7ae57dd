import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDatabase, importFromObject, open } from '../../src/index.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const dir = mkdtempSync(path.join(tmpdir(), 's3lite-bad-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'good.sqlite');
execFileSync('sqlite3', [
  file,
  `PRAGMA page_size=1024; CREATE TABLE t(v);
   INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50)
     SELECT randomblob(200) FROM c`,
]);
const good = readFileSync(file);

/** Inputs that are not a whole SQLite database, and what the error must say. */
const BAD: Array<[string, Uint8Array, RegExp]> = [
  ['an empty file', new Uint8Array(0), /is empty/],
  [
    '100 random bytes',
    new Uint8Array(100).map((_, i) => (i * 73 + 11) & 0xff),
    /not a SQLite database/,
  ],
  ['a file cut in the middle of a page', good.subarray(0, 5 * 1024 + 300), /truncated.*page 6/],
  [
    'a file cut at a page boundary',
    good.subarray(0, 5 * 1024),
    /holds 5 pages but its header says/,
  ],
  [
    'a file with bytes past its end',
    Buffer.concat([good, new Uint8Array(1024)]),
    /bytes past its end/,
  ],
  ['a header with a bad page size', withPageSize(good, 1000), /invalid page size.*1000/],
  ['a header with a wrong page size', withPageSize(good, 2048), /truncated|past its end|pages but/],
];

function withPageSize(bytes: Uint8Array, pageSize: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  new DataView(copy.buffer).setUint16(16, pageSize);
  return copy;
}

describe.each(STORE_KINDS)('import refuses bad input, leaving nothing visible: %s', (kind) => {
  let area: TestArea;
  beforeEach(() => {
    area = createTestArea(kind);
  });
  afterEach(() => area.cleanup());

  it.each(BAD)('%s', async (_, input, message) => {
    const target = { store: area.store, prefix: `${area.prefix}db` };
    const error = await failure(importDatabase(input, target, { name: 'upload.sqlite' }));
    expect(error.code).toBe('NOT_A_DATABASE');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('upload.sqlite');
    const left = [];
    for await (const object of area.store.listAll(area.prefix)) left.push(object.key);
    expect(left).toEqual([]);
    const db = await open(target);
    expect(db.stats().snapshot.seq).toBe(0);
    await db.close();
  });

  it('names a source object that does not exist', async () => {
    const error = await failure(
      importFromObject(
        { store: area.store, key: `${area.prefix}missing.sqlite` },
        { store: area.store, prefix: `${area.prefix}db` },
      ),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('missing.sqlite');
  });

  it('leaves the previous database intact when an overwrite fails', async () => {
    const target = { store: area.store, prefix: `${area.prefix}db` };
    await importDatabase(good, target);
    const cut = good.subarray(0, good.byteLength - 700);
    await failure(importDatabase(cut, target, { overwrite: true, bufferBytes: 65536 }));
    const db = await open(target);
    expect(db.stats().snapshot.seq).toBe(1);
    expect(await db.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 50 });
    expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    await db.close();
  });
});

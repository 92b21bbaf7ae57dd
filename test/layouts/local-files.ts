import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A scratch directory for one test file; `remove()` it afterwards. */
export function scratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 's3lite-interop-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Debian's sqlite3 command: an SQLite that has nothing to do with s3lite. */
export function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
}

/**
 * A database file made by sqlite3: `t(id INTEGER PRIMARY KEY, v TEXT)` with `rows` rows of
 * 40-character values, in pages of `pageSize` bytes, then `more` statements. Returns its
 * path and bytes.
 */
export function localDatabase(
  dir: string,
  name: string,
  pageSize: number,
  rows: number,
  more = '',
): { file: string; bytes: Buffer } {
  const file = path.join(dir, name);
  sqlite3(
    file,
    `PRAGMA page_size=${pageSize};
     CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL);
     INSERT INTO t(id, v) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${rows})
       SELECT i, printf('%040d', i) FROM c;
     ${more}`,
  );
  return { file, bytes: readFileSync(file) };
}

/**
 * Levels of the table B-tree of `table` in a database file (1 when its root is a leaf), read
 * from the raw pages (file format: the B-tree page header starts at byte 0, or 100 on page 1;
 * type 0x05 is a table interior page, whose right-most child pointer is at header offset 8;
 * 0x0d a table leaf). SQLite's B-trees are balanced, so the right-most path is as long as any.
 */
export function tableDepth(file: string, table: string): number {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = view.getUint16(16);
  const pageSize = raw === 1 ? 65536 : raw;
  let pageNo = Number(sqlite3(file, `SELECT rootpage FROM sqlite_schema WHERE name = '${table}'`));
  for (let depth = 1; ; depth++) {
    const start = (pageNo - 1) * pageSize + (pageNo === 1 ? 100 : 0);
    const type = bytes[start];
    if (type === 0x0d) return depth;
    if (type !== 0x05) throw new Error(`page ${pageNo} is not a table B-tree page: ${type}`);
    pageNo = view.getUint32(start + 8);
  }
}

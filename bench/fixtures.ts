import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { importFromFile, type ObjectStore } from '../src/index.js';
import { buildSql } from './dataset.js';

/** A database file made locally with sqlite3, and its shape. */
export interface Fixture {
  file: string;
  rows: number;
  pageSize: number;
  bytes: number;
  pages: number;
  /** Levels of the table's B-tree (1: the root is a leaf). */
  depth: number;
}

export function buildFixture(
  dir: string,
  rows: number,
  valueBytes: number,
  pageSize: number,
): Fixture {
  const file = path.join(dir, `t-${rows}x${valueBytes}-${pageSize}.sqlite`);
  rmSync(file, { force: true });
  execFileSync('sqlite3', [file, buildSql(rows, valueBytes, pageSize)], { encoding: 'utf8' });
  const bytes = statSync(file).size;
  return { file, rows, pageSize, bytes, pages: bytes / pageSize, depth: tableDepth(file) };
}

/**
 * From SQLite's dbstat table: a page's path has one `/` per level ('/' is the root,
 * '/000/' its first child…), so the deepest path is the depth.
 */
function tableDepth(file: string): number {
  const out = execFileSync(
    'sqlite3',
    [
      file,
      "SELECT max(length(path) - length(replace(path, '/', ''))) FROM dbstat WHERE name = 't'",
    ],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}

/** Put a fixture under `prefix` as an s3lite database (one commit), outside any measurement. */
export async function importFixture(
  store: ObjectStore,
  fixture: Fixture,
  prefix: string,
): Promise<void> {
  await importFromFile(fixture.file, { store, prefix });
}

/** Delete every object under `prefix` (the bench leaves nothing behind on the server). */
export async function removePrefix(store: ObjectStore, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const object of store.listAll(`${prefix}/`)) keys.push(object.key);
  await store.deleteMany(keys);
}

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

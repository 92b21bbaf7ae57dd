import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exportDatabase, exportToFile } from '../../src/serialize/index.js';
import { importFromFile } from '../../src/serialize/import.js';
import { createProcessArea, type ProcessArea } from './area.js';

const work = mkdtempSync(path.join(tmpdir(), 's3lite-serialize-processes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
}

describe.each(['file', 's3'] as const)('import and export against other processes: %s', (kind) => {
  let area: ProcessArea;
  afterEach(() => area.cleanup());

  it('exports exactly one commit while another process keeps committing', async () => {
    area = createProcessArea(kind);
    const db = await area.connect();
    // 500 rows of 600 bytes: about 80 pages, each rewritten by every one of the writer's
    // commits (1,500 rows took over a minute of commits on a loaded machine).
    await db.exec(`CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER, v BLOB);
      INSERT INTO t(x, v) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500)
        SELECT 0, randomblob(600) FROM c`);
    const writer = area.start('update-loop', { commits: 6 });
    await writer.next();
    const target = path.join(work, `export-${kind}.sqlite`);
    // Slow enough that the writer commits several times while the export runs.
    const exported = exportDatabase(
      { store: area.store, prefix: area.location.prefix },
      { concurrency: 4 },
    );
    const parts: Uint8Array[] = [];
    for await (const page of exported) {
      parts.push(page);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const { commit } = await exported.summary;
    const writerExit = await writer.exited;
    expect(writerExit.code, writerExit.stderr).toBe(0);
    expect(commit).toBeLessThan(db.stats().snapshot.seq + 6);

    const bytes = Buffer.concat(parts);
    await exportToFile({ store: area.store, prefix: area.location.prefix }, target, { at: commit });
    expect(bytes.equals(readFileSync(target))).toBe(true);
    expect(sqlite3(target, 'PRAGMA integrity_check')).toBe('ok');
    expect(sqlite3(target, 'SELECT count(DISTINCT x), count(*) FROM t')).toBe('1|500');
  });

  it.each([
    ['into an empty prefix', false],
    ['over an existing database', true],
  ])('leaves no database or the previous one when an import is killed %s', async (_, previous) => {
    area = createProcessArea(kind);
    const location = { store: area.store, prefix: area.location.prefix };
    const small = path.join(work, `small-${kind}-${previous}.sqlite`);
    sqlite3(small, 'CREATE TABLE before(x); INSERT INTO before VALUES (42)');
    if (previous) await importFromFile(small, location);
    const large = path.join(work, `large-${kind}-${previous}.sqlite`);
    sqlite3(
      large,
      `CREATE TABLE t(v); INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500)
         SELECT randomblob(4000) FROM c`,
    );
    const importer = area.start('import-crash', { file: large, pagePuts: 120 });
    expect((await importer.exited).signal).toBe('SIGKILL');
    expect(await area.keys('commits/')).toHaveLength(previous ? 1 : 0);
    const db = await area.connect();
    if (previous) {
      expect(await db.query('SELECT x FROM before')).toEqual([{ x: 42 }]);
      expect(await db.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    } else {
      expect(db.stats().snapshot.seq).toBe(0);
    }
  });
});

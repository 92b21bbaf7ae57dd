import * as SQLite from '@journeyapps/wa-sqlite';
import { ImportVerifyError, SqliteError } from '../errors.js';
import type { StagedCheck } from '../serialize/import.js';
import { VFS_NAME } from '../vfs/index.js';
import { processEngines } from './engine-pool.js';
import { toS3liteError } from './sql-errors.js';

/** Findings quick_check reports at most: enough to say what is wrong, bounded in memory. */
const MAX_FINDINGS = 100;

/**
 * Check an import's staged database with SQLite's own `PRAGMA quick_check` (B-tree pages,
 * cell bounds, freelist and page references; not index contents, which integrity_check adds
 * at many times the cost), opened read-only through the VFS. SQLite's findings become an
 * {@link ImportVerifyError}, as does a database it cannot even open (`SQLITE_CORRUPT`,
 * `SQLITE_NOTADB`); a storage failure while reading is thrown as it is.
 */
export const quickCheck: StagedCheck = async (staged, name) => {
  const engine = await processEngines.acquire();
  const { runtime } = engine;
  const { sqlite3, vfs } = runtime;
  const { name: fileName, file } = vfs.attachView(staged, name);
  let findings: string[];
  try {
    findings = await runtime.mutex(async () => {
      const db = await sqlite3.open_v2(fileName, SQLite.SQLITE_OPEN_READONLY, VFS_NAME);
      const rows: string[] = [];
      try {
        await sqlite3.exec(db, `PRAGMA quick_check(${MAX_FINDINGS})`, (row) => {
          rows.push(...findingsOf(String(row[0])));
        });
      } catch (error) {
        // SQLite may give up on a page it cannot parse, after reporting what it found so far.
        const failure = toS3liteError(error, '', file.lastError, name);
        if (!(failure instanceof SqliteError) || !isMalformed(failure.sqliteCode)) throw failure;
        rows.push(`SQLite gave up: ${(error as Error).message}`);
      } finally {
        await sqlite3.close(db);
      }
      return rows;
    });
  } finally {
    vfs.detach(fileName);
    engine.release();
  }
  if (findings.length === 1 && findings[0] === 'ok') return;
  throw new ImportVerifyError(
    findings,
    `${name} is not a sound SQLite database (PRAGMA quick_check): ${findings.slice(0, 5).join('; ')}` +
      (findings.length > 5 ? `; and ${findings.length - 5} more` : '') +
      '; nothing was imported',
  );
};

function isMalformed(code: number): boolean {
  return (code & 0xff) === SQLite.SQLITE_CORRUPT || (code & 0xff) === SQLite.SQLITE_NOTADB;
}

/** A quick_check row may hold several lines, the first naming the schema ("*** in database main ***"). */
function findingsOf(row: string): string[] {
  return row.split('\n').filter((line) => !line.startsWith('*** in database '));
}

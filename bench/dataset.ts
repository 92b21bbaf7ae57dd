import { randomBytes } from 'node:crypto';

/**
 * The one table every scenario works on: an integer primary key and a value of about 100
 * bytes (scenario 1's rows), or of 4,000 bytes in the large databases of the import and
 * export scenario, where a few rows fill a page.
 */
export const CREATE_TABLE = 'CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB NOT NULL)';
export const INSERT_ROW = 'INSERT INTO t(id, v) VALUES (?, ?)';
export const LOOKUP = 'SELECT id, length(v) AS bytes FROM t WHERE id = ?';
export const SCAN = 'SELECT count(*) AS n, sum(length(v)) AS bytes FROM t';
/** Row values of the small-row databases: 100 hexadecimal characters. */
export const VALUE_BYTES = 100;

/** A fresh random value like those of the small-row databases. */
export function rowValue(): string {
  return randomBytes(VALUE_BYTES / 2).toString('hex');
}

/**
 * SQL that builds the table in a local file with Debian's sqlite3 (fixtures are made locally
 * and imported: only the scenarios themselves go through s3lite).
 */
export function buildSql(rows: number, valueBytes: number, pageSize: number): string {
  const value =
    valueBytes === VALUE_BYTES
      ? `hex(randomblob(${VALUE_BYTES / 2}))`
      : `randomblob(${valueBytes})`;
  return `PRAGMA page_size=${pageSize}; PRAGMA journal_mode=OFF; ${CREATE_TABLE};
    INSERT INTO t(id, v) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${rows})
    SELECT i, ${value} FROM c;`;
}

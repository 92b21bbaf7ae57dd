import Table from 'cli-table3';
import type { Row, SqlValue } from '../db/index.js';

/** One value as text: blobs in hex (as SQLite's quote() writes them), NULL as `nullText`. */
function cell(value: SqlValue, nullText = 'NULL'): string {
  if (value === null) return nullText;
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex').toUpperCase()}'`;
  return String(value);
}

/** JSON with bigints as numbers where they fit and blobs as hex strings. */
function jsonValue(value: SqlValue): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  return value;
}

/** A row as one line of JSON (the `--json` output, one object per line). */
export function jsonLine(row: Row): string {
  return JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonValue(v)])));
}

/** Rows as a boxed table for a terminal, with a rule under the header only. */
export function table(columns: readonly string[], rows: readonly Row[]): string {
  const t = new Table({ head: [...columns], style: { head: [], border: [] } });
  for (const row of rows) t.push(columns.map((c) => cell(row[c] ?? null)));
  // cli-table3 draws the same rule under the header and between every two rows, and has no
  // option to draw only the first: drop the others (lines 0-2 are top, header and its rule).
  const lines = t.toString().split('\n');
  return lines.filter((line, i) => i <= 2 || !line.startsWith('├')).join('\n');
}

/** A header line and rows as tab-separated values, for pipes (NULL as an empty field). */
export function tsv(columns: readonly string[], rows: readonly Row[]): string {
  const lines = [
    columns.join('\t'),
    ...rows.map((row) => columns.map((c) => cell(row[c] ?? null, '')).join('\t')),
  ];
  return lines.join('\n');
}

import { createHash } from 'node:crypto';
import type { Database } from '../../src/db/index.js';

/** What the crash and reopen tests compare: the rows of table `t`, summed up and hashed. */
export interface TableState {
  rows: number;
  sumX: number;
  sha256: string;
}

/** Table `t(id INTEGER PRIMARY KEY, x INTEGER, v BLOB)` as a comparable value. */
export async function tableState(db: Database): Promise<TableState> {
  const rows = await db.query<{ id: number; x: number; v: Uint8Array }>(
    'SELECT id, x, v FROM t ORDER BY id',
  );
  const hash = createHash('sha256');
  let sumX = 0;
  for (const { id, x, v } of rows) {
    hash.update(`${id}:${x}:`).update(v);
    sumX += x;
  }
  return { rows: rows.length, sumX, sha256: hash.digest('hex') };
}

/** `PRAGMA integrity_check`'s findings joined: 'ok' for a sound database. */
export async function integrity(db: Database): Promise<string> {
  const rows = await db.query<{ integrity_check: string }>('PRAGMA integrity_check');
  return rows.map((row) => row.integrity_check).join('\n');
}

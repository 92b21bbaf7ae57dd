import type { Database } from '../../src/db/index.js';
import type { Gathered } from './supervisor.js';

/** The tables the workloads use, made in one commit so that every commit holds the whole bank. */
export function schema(accounts: number, initialBalance: number): string {
  return `BEGIN;
    CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
    WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < ${accounts})
    INSERT INTO accounts(id, balance) SELECT k, ${initialBalance} FROM i;
    CREATE TABLE transfers(id TEXT PRIMARY KEY, src INTEGER, dst INTEGER, amount INTEGER);
    CREATE TABLE log(id TEXT PRIMARY KEY, writer TEXT, n INTEGER, body BLOB);
    COMMIT`;
}

/**
 * Every invariant of the final database: SQLite's integrity check; the bank's total; each
 * balance equal to what the transfers table says; every acknowledged transfer and log row
 * present. Returns what does not hold.
 */
export async function verify(
  db: Database,
  gathered: Gathered,
  accounts: number,
  initialBalance: number,
): Promise<string[]> {
  const violations: string[] = [];
  const integrity = await db.query<{ integrity_check: string }>('PRAGMA integrity_check');
  const verdict = integrity.map((row) => row.integrity_check).join('; ');
  if (verdict !== 'ok') violations.push(`integrity_check: ${verdict}`);

  const balances = new Map(
    (await db.query<{ id: number; balance: number }>('SELECT id, balance FROM accounts')).map(
      (row) => [row.id, row.balance],
    ),
  );
  const total = [...balances.values()].reduce((sum, balance) => sum + balance, 0);
  if (balances.size !== accounts || total !== accounts * initialBalance) {
    violations.push(
      `bank: ${balances.size} accounts hold ${total}, not ${accounts * initialBalance}`,
    );
  }
  const transfers = new Map(
    (
      await db.query<{ id: string; src: number; dst: number; amount: number }>(
        'SELECT id, src, dst, amount FROM transfers',
      )
    ).map(({ id, ...transfer }) => [id, transfer]),
  );
  const expected = new Map<number, number>();
  for (const { src, dst, amount } of transfers.values()) {
    expected.set(src, (expected.get(src) ?? initialBalance) - amount);
    expected.set(dst, (expected.get(dst) ?? initialBalance) + amount);
  }
  for (const [id, balance] of balances) {
    if (balance !== (expected.get(id) ?? initialBalance)) {
      violations.push(`account ${id} holds ${balance}, its transfers say ${expected.get(id)}`);
    }
  }
  for (const [id, transfer] of gathered.transfers) {
    const found = transfers.get(id);
    if (JSON.stringify(found) !== JSON.stringify(transfer)) {
      violations.push(
        `acknowledged transfer ${id} ${JSON.stringify(transfer)} is ${JSON.stringify(found)}`,
      );
    }
  }
  const logIds = new Set(
    (await db.query<{ id: string }>('SELECT id FROM log')).map((row) => row.id),
  );
  const lost = [...gathered.logIds].filter((id) => !logIds.has(id));
  if (lost.length > 0) {
    violations.push(
      `${lost.length} acknowledged log rows lost, such as ${lost.slice(0, 5).join(', ')}`,
    );
  }
  return violations;
}

import type { BindValue, Database } from '../db/index.js';
import { COLUMNS, type Schema } from './schema.js';

/**
 * Writes not committed yet, kept in a TEMP table of the connection (in memory, never in the
 * bucket). Each is a key-level upsert or delete: the last write of an id wins. Because they are
 * rows, reads see them through SQL — every query runs on the table with the buffered rows laid
 * over it — and a sync applies them all with two statements inside one transaction, which may
 * be re-run on a newer head as often as it takes.
 */
export class SyncBuffer {
  /** Buffered changes (distinct ids). */
  count = 0;
  /**
   * The commit the buffered changes were made on: what this instance had seen when the first
   * of them was buffered. Undefined while nothing is buffered.
   */
  base: number | undefined;
  /** The TEMP table, quoted and qualified. */
  private readonly pending: string;

  constructor(
    private readonly db: Database,
    private readonly schema: Schema,
    /** Unique per store, so stores sharing a connection keep apart. */
    name: string,
  ) {
    this.pending = `temp."${name}"`;
  }

  /** Create the (empty) TEMP table. It costs no request: TEMP tables live in memory. */
  async create(): Promise<void> {
    const columns = COLUMNS.filter((column) => column !== 'resource_id').join(', ');
    await this.db.exec(
      `CREATE TEMP TABLE ${this.pending} (resource_id TEXT PRIMARY KEY NOT NULL, deleted INTEGER NOT NULL, ${columns}) WITHOUT ROWID`,
    );
  }

  /**
   * The rows a read sees, as a FROM item aliased `m`: the table itself, or with the buffered
   * changes laid over it.
   */
  source(): string {
    const table = `main.${this.schema.table}`;
    if (this.count === 0) return `${table} AS m`;
    const columns = COLUMNS.join(', ');
    return `(SELECT ${columns} FROM ${table} WHERE resource_id NOT IN (SELECT resource_id FROM ${this.pending}) UNION ALL SELECT ${columns} FROM ${this.pending} WHERE deleted = 0) AS m`;
  }

  /**
   * Buffer upserts of `rows` (in `COLUMNS` order) and deletes of `deletes`, all or none: one
   * prepared INSERT per change inside a SAVEPOINT (which touches only the TEMP database, so it
   * takes no lock on the main one and costs no request). `seen` is the commit this instance
   * last saw.
   */
  async add(rows: readonly BindValue[][], deletes: readonly string[], seen: number): Promise<void> {
    const noColumns = Array<null>(COLUMNS.length - 1).fill(null);
    const placeholders = Array(COLUMNS.length + 1)
      .fill('?')
      .join(', ');
    await this.db.exec('SAVEPOINT s3lite_buffer');
    try {
      const insert = await this.db.prepare(
        `INSERT OR REPLACE INTO ${this.pending} (${COLUMNS.join(', ')}, deleted) VALUES (${placeholders})`,
      );
      try {
        for (const row of rows) await insert.run([...row, 0]);
        for (const id of deletes) await insert.run([id, ...noColumns, 1]);
      } finally {
        await insert.finalize();
      }
      await this.db.exec('RELEASE s3lite_buffer');
    } catch (error) {
      await this.db.exec('ROLLBACK TO s3lite_buffer; RELEASE s3lite_buffer');
      throw error;
    }
    if (this.count === 0) this.base = seen;
    await this.recount();
  }

  /**
   * Apply every buffered change to the table and empty the buffer, inside the caller's
   * transaction `tx`: if it rolls back, the buffer is as it was. {@link recount} afterwards.
   */
  async apply(tx: Database): Promise<void> {
    const table = `main.${this.schema.table}`;
    const columns = COLUMNS.join(', ');
    const updates = COLUMNS.filter((column) => column !== 'resource_id')
      .map((column) => `${column} = excluded.${column}`)
      .join(', ');
    await tx.run(
      `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM ${this.pending} WHERE deleted = 0 ON CONFLICT(resource_id) DO UPDATE SET ${updates}`,
    );
    await tx.run(
      `DELETE FROM ${table} WHERE resource_id IN (SELECT resource_id FROM ${this.pending} WHERE deleted = 1)`,
    );
    await this.clear(tx);
  }

  /**
   * Drop every buffered change, through `db` (the store's connection, or a transaction that
   * must drop them only if it commits). {@link recount} afterwards.
   */
  async clear(db: Database = this.db): Promise<void> {
    await db.run(`DELETE FROM ${this.pending}`);
  }

  /** Re-read how many changes are buffered (costs no request). */
  async recount(): Promise<void> {
    const row = await this.db.queryOne<{ n: number }>(`SELECT count(*) AS n FROM ${this.pending}`);
    this.count = row?.n ?? 0;
    if (this.count === 0) this.base = undefined;
  }

  /** Drop the TEMP table (on a connection that outlives the store). */
  async drop(): Promise<void> {
    await this.db.exec(`DROP TABLE IF EXISTS ${this.pending}`);
  }
}

import type { Database } from '../db/index.js';

/**
 * How stale a read may be (`readCheckInterval`). Every read transaction of a connection checks
 * the database's head first (one GET); a snapshot held open is read at no request at all. So
 * a read opens a read transaction (`BEGIN`) and leaves it open: the reads that follow within
 * the interval run in it, on the same snapshot, and the first read after it ends the
 * transaction and starts a new one, which checks the head again.
 *
 * Only a store that owns its connection holds one: on a caller's database a `BEGIN` left open
 * would take the caller's own statements into it. There each read checks the head, and a read
 * of several statements (a `regex` search) runs in `transaction()` to see one snapshot.
 *
 * Only reads run inside a held transaction. Writes end it first: SQLite may roll a
 * transaction back by itself after some I/O errors, which must never take the store's buffered
 * writes (kept in a TEMP table) with it.
 */
export class ReadWindow {
  /** When the held read transaction began; undefined when none is held. */
  private openedAt: number | undefined;

  constructor(
    private readonly db: Database,
    /** How long a snapshot may be reused, in ms; 0 never holds one. */
    private readonly intervalMs: number,
    /** Whether this store owns the connection, and so may hold transactions open on it. */
    private readonly owned: boolean,
  ) {}

  /**
   * Run the reads of `fn` on one snapshot no older than the interval. `statements` says
   * whether `fn` runs one statement or several that must see the same commit.
   */
  async run<T>(statements: 'one' | 'many', fn: () => Promise<T>): Promise<T> {
    if (!this.owned) {
      return statements === 'one' ? fn() : this.db.transaction(() => fn());
    }
    if (this.intervalMs === 0) {
      if (statements === 'one') return fn();
      await this.db.exec('BEGIN');
      try {
        return await fn();
      } finally {
        await this.endQuietly();
      }
    }
    if (this.openedAt !== undefined && Date.now() - this.openedAt >= this.intervalMs) {
      await this.end();
    }
    if (this.openedAt === undefined) {
      await this.db.exec('BEGIN');
      this.openedAt = Date.now();
    }
    try {
      return await fn();
    } catch (error) {
      // After a failed statement SQLite may have ended the transaction itself.
      this.openedAt = undefined;
      await this.endQuietly();
      throw error;
    }
  }

  /** End the held read transaction, if any, so the next read checks the head. */
  async end(): Promise<void> {
    if (this.openedAt === undefined) return;
    this.openedAt = undefined;
    await this.db.exec('COMMIT');
  }

  /** End a read transaction that may already have ended; it only read, so nothing is lost. */
  private async endQuietly(): Promise<void> {
    try {
      await this.db.exec('COMMIT');
    } catch {
      // "no transaction is active": SQLite rolled it back already.
    }
  }
}

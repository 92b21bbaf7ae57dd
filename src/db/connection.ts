import * as SQLite from '@journeyapps/wa-sqlite';
import { ClosedError, InvalidArgumentError } from '../errors.js';
import { AsyncScope } from '../platform/host.js';
import type { ObjectStore } from '../store/types.js';
import type { Backend } from '../layouts/index.js';
import { VFS_NAME, type MainFile } from '../vfs/index.js';
import { retryLostRaces, type RetryPolicy } from './retry.js';
import { toS3liteError } from './sql-errors.js';
import type { EngineLease } from './engine-pool.js';
import type { SqliteRuntime } from './sqlite-runtime.js';
import { bindParams, int64Value, readRow, type BindParams, type Row } from './values.js';

/** What `run()` reports. */
export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
  /** Rowid of the last row inserted by this connection (a bigint beyond 2^53). */
  lastInsertRowid: number | bigint;
}

/** How a statement is stepped: every row kept, only the first, or none. */
export type StepMode = 'all' | 'first' | 'none';

/** What one execution of a statement gave. */
export interface Execution extends RunResult {
  rows: Row[];
}

/** The outcome of one statement of a script, from `Database.script()`. */
export interface StatementResult {
  /** The statement's text, as it appears in the script. */
  sql: string;
  /** Names of the result columns (empty for a statement that returns no rows). */
  columns: string[];
  rows: Row[];
}

/** Which transaction() call the current async context runs in, if any. */
const transactionScope = new AsyncScope<object>();

/**
 * One SQLite connection on one database (its {@link Backend}, in whichever layout): the
 * machinery behind `Database` and `Statement`.
 *
 * Every call into the connection's wa-sqlite module (its engine, shared with the other
 * connections bound to it) runs inside a section of the module's mutex; the store requests of
 * one call still go out in parallel inside the backend. Around that, a
 * per-connection gate keeps a `transaction()` to itself: while one runs, other callers of
 * this connection wait, except the code the transaction itself runs (found through
 * AsyncLocalStorage).
 */
export class Connection {
  /** The close in progress (or done), once `close()` was called. */
  private closed: Promise<void> | undefined;
  /** Set when closing starts in earnest: new operations fail with `CLOSED` from then on. */
  private closing = false;
  /** Set once sqlite3_close ran: the handle must not reach the module again. */
  private handleClosed = false;
  private readonly prepared = new Set<number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private owner: { token: object; done: Promise<void> } | undefined;

  private readonly runtime: SqliteRuntime;

  private constructor(
    private readonly engine: EngineLease,
    private readonly handle: number,
    private readonly file: MainFile,
    private readonly fileName: string,
    readonly backend: Backend,
    private readonly ownedStore: ObjectStore | undefined,
    readonly retry: RetryPolicy,
    /** Names the database in messages. */
    readonly description: string,
  ) {
    this.runtime = engine.runtime;
  }

  /**
   * Open SQLite on `backend`'s main file in `engine`; `ownedStore` is closed, and the engine
   * released, with the connection (or here, when opening fails).
   */
  static async open(
    engine: EngineLease,
    backend: Backend,
    ownedStore: ObjectStore | undefined,
    retry: RetryPolicy,
  ): Promise<Connection> {
    const description = `database "${backend.prefix}" in ${backend.store.location}`;
    const runtime = engine.runtime;
    const file = backend.mainFile;
    const name = runtime.vfs.attach(file);
    try {
      const handle = await runtime.mutex(async () => {
        // SQLite reads page 1 while opening: a storage failure then must reach the caller
        // as the s3lite error behind it, as it does from a statement (see call()).
        file.clearError();
        const db = await runtime.sqlite3
          .open_v2(name, SQLite.SQLITE_OPEN_CREATE | SQLite.SQLITE_OPEN_READWRITE, VFS_NAME)
          .catch((error: unknown) => {
            throw toS3liteError(error, '', file.lastError, description);
          });
        // Extended codes tell constraint kinds apart (SQLITE_CONSTRAINT_UNIQUE, …).
        runtime.module._sqlite3_extended_result_codes(db, 1);
        return db;
      });
      return new Connection(engine, handle, file, name, backend, ownedStore, retry, description);
    } catch (error) {
      runtime.vfs.detach(name);
      engine.release();
      throw error;
    }
  }

  get sqlite3(): SQLiteAPI {
    return this.runtime.sqlite3;
  }

  /** The current row of `stmt`, keyed by `columns`. */
  readRow(stmt: number, columns: readonly string[]): Row {
    return readRow(this.runtime, stmt, columns);
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /**
   * Run one public operation: refused once closing began, held back while another caller's
   * transaction owns the connection, and awaited by `close()`. `caller` is the token of the
   * transaction the operation belongs to, if any (see {@link exclusive}).
   */
  async operation<T>(fn: () => Promise<T>, caller?: object): Promise<T> {
    this.checkOpen();
    if (this.isHeldByOther(caller)) {
      await this.waitForOtherTransaction();
      this.checkOpen();
    }
    // Started and registered in the same tick as the check, so close() cannot slip between.
    const running = fn();
    this.inFlight.add(running);
    try {
      return await running;
    } finally {
      this.inFlight.delete(running);
    }
  }

  /**
   * Run `fn` as the owner of the connection (for `transaction()`): other callers wait until
   * it settles; calls made from inside `fn` go through. They are recognised by the token
   * `fn` is given, passed back as `caller`, and where the runtime can follow async call
   * chains (AsyncLocalStorage: Node, Bun, Deno) also without it.
   */
  async exclusive<T>(fn: (token: object) => Promise<T>, caller?: object): Promise<T> {
    this.checkOpen();
    if (this.owner && this.isOwner(caller)) {
      throw new InvalidArgumentError(
        `${this.description}: transaction() cannot be nested; use SAVEPOINT inside it`,
      );
    }
    // Checked and taken in one tick: callers woken by the same release must not both find the
    // connection free (an awaited helper here would let each of them through).
    while (this.owner && this.isHeldByOther()) await this.owner.done;
    this.checkOpen();
    let release = (): void => undefined;
    const owner = { token: {}, done: new Promise<void>((resolve) => (release = resolve)) };
    this.owner = owner;
    try {
      return await transactionScope.run(owner.token, () => fn(owner.token));
    } finally {
      this.owner = undefined;
      release();
    }
  }

  /**
   * One section of the module mutex for `fn`, with errors turned into s3lite errors: the
   * VFS's recorded JavaScript error when it caused the failure, else a `SqliteError` naming
   * `sql`.
   */
  call<T>(sql: string, fn: () => T | Promise<T>): Promise<T> {
    return this.section(async () => {
      this.file.clearError();
      try {
        return await fn();
      } catch (error) {
        throw toS3liteError(error, sql, this.file.lastError, this.description);
      }
    });
  }

  /** Prepare exactly one statement; it stays valid until {@link finalize} or close. */
  prepare(sql: string): Promise<number> {
    return this.call(sql, async () => {
      const all = this.sqlite3.statements(this.handle, sql, { unscoped: true });
      const statements = all[Symbol.asyncIterator]();
      try {
        const first = await statements.next();
        if (first.done) throw new InvalidArgumentError(`no SQL statement in: ${sql}`);
        if (!(await this.isLastStatement(statements))) {
          await this.sqlite3.finalize(first.value);
          throw new InvalidArgumentError(
            `expected one SQL statement, found several (use exec() for a script): ${sql}`,
          );
        }
        this.prepared.add(first.value);
        return first.value;
      } finally {
        await statements.return?.();
      }
    });
  }

  /** Whether `statements` has nothing left; anything it yields (or fails on) is finalized. */
  private async isLastStatement(statements: AsyncIterator<number>): Promise<boolean> {
    try {
      const next = await statements.next();
      if (next.done) return true;
      await this.sqlite3.finalize(next.value);
      return false;
    } catch {
      // The rest failed to prepare: so there was a rest.
      return false;
    }
  }

  async finalize(stmt: number): Promise<void> {
    if (!this.prepared.delete(stmt)) return;
    await this.section(() => this.sqlite3.finalize(stmt));
  }

  /**
   * Bind `params` and step `stmt` to its end (or its first row), re-running it on the new
   * head when it loses a commit race outside an explicit transaction.
   */
  async execute(
    stmt: number,
    sql: string,
    params: BindParams | undefined,
    mode: StepMode,
  ): Promise<Execution> {
    return this.retryConflicts(true, (state) =>
      this.call(sql, async () => {
        state.autocommit = this.sqlite3.get_autocommit(this.handle) !== 0;
        await this.start(stmt, params, sql);
        const rows: Row[] = [];
        const columns = mode === 'none' ? [] : this.sqlite3.column_names(stmt);
        while ((await this.sqlite3.step(stmt)) === SQLite.SQLITE_ROW) {
          if (mode === 'none') continue;
          rows.push(this.readRow(stmt, columns));
          if (mode === 'first') {
            // Finishes the statement now (an autocommit write commits here) and reports its error.
            await this.sqlite3.reset(stmt);
            break;
          }
        }
        return { rows, ...this.changes() };
      }),
    );
  }

  /** Changes and last rowid of the statement that just ran (inside its mutex section). */
  private changes(): RunResult {
    const low = this.runtime.module._sqlite3_last_insert_rowid(this.handle);
    const high = this.runtime.module.getTempRet0();
    return {
      changes: this.sqlite3.changes(this.handle),
      lastInsertRowid: int64Value((BigInt(high) << 32n) | (BigInt(low) & 0xffffffffn)),
    };
  }

  /** Reset `stmt` and bind `params`: the start of each execution. */
  async start(stmt: number, params: BindParams | undefined, sql: string): Promise<void> {
    await this.resetQuietly(stmt);
    this.sqlite3.clear_bindings(stmt);
    bindParams(this.runtime, stmt, params, sql);
  }

  /** Reset `stmt`, releasing what it holds; the error of its last step was reported already. */
  async resetQuietly(stmt: number): Promise<void> {
    try {
      await this.sqlite3.reset(stmt);
    } catch {
      // sqlite3_reset repeats the last step's error, which was reported when it happened.
    }
  }

  /**
   * Run every statement of `sql` in order, keeping their rows if `keepRows`; each one that
   * loses a race outside a transaction is re-run (when `retry`), the ones before it are not.
   */
  async exec(sql: string, retry: boolean, keepRows = false): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    // wa-sqlite finalizes each statement when the next is asked for, and the last on return().
    const statements = this.sqlite3.statements(this.handle, sql)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await this.call(sql, () => statements.next());
        if (next.done) return results;
        const stmt = next.value;
        const result = await this.retryConflicts(retry, (state) =>
          this.call(sql, async () => {
            state.autocommit = this.sqlite3.get_autocommit(this.handle) !== 0;
            const text = this.sqlite3.sql(stmt);
            try {
              return await this.stepScriptStatement(stmt, text, keepRows);
            } catch (error) {
              await this.resetQuietly(stmt);
              throw toS3liteError(error, text, this.file.lastError, this.description);
            }
          }),
        );
        results.push(result);
      }
    } finally {
      await this.section(() => statements.return?.());
    }
  }

  private async stepScriptStatement(
    stmt: number,
    sql: string,
    keepRows: boolean,
  ): Promise<StatementResult> {
    const columns = keepRows ? this.sqlite3.column_names(stmt) : [];
    const rows: Row[] = [];
    while ((await this.sqlite3.step(stmt)) === SQLite.SQLITE_ROW) {
      if (keepRows) rows.push(this.readRow(stmt, columns));
    }
    return { sql, columns, rows };
  }

  /** Whether an explicit transaction is open. */
  inTransaction(): Promise<boolean> {
    return this.section(() => this.sqlite3.get_autocommit(this.handle) === 0);
  }

  /**
   * After a lost race the open transaction can never commit (its snapshot is stale), though
   * SQLite keeps it open after a failed COMMIT: roll it back.
   */
  async rollbackQuietly(): Promise<void> {
    try {
      if (await this.inTransaction()) await this.exec('ROLLBACK', false);
    } catch {
      // Rolling back a transaction that already failed (or a closed connection) has nothing
      // left to report: the error that led here is the one that matters.
    }
  }

  /**
   * Run `attempt` until it does not lose a commit race. Only an attempt that started outside
   * an explicit transaction (it sets `autocommit`) is re-run, and only when `retry` is set; a
   * lost race inside a transaction rolls the transaction back.
   */
  retryConflicts<T>(
    retry: boolean,
    attempt: (state: { autocommit: boolean }) => Promise<T>,
  ): Promise<T> {
    const state = { autocommit: false };
    return retryLostRaces(
      this.retry,
      this.description,
      () => {
        state.autocommit = false;
        return attempt(state);
      },
      async () => {
        if (!state.autocommit) await this.rollbackQuietly();
        return retry && state.autocommit;
      },
    );
  }

  /**
   * Close SQLite, the backend and an owned store. Lets a running transaction of another
   * caller finish and waits for running operations; statements still prepared are finalized.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.waitForOtherTransaction();
      this.closing = true;
      await Promise.allSettled([...this.inFlight]);
      await this.runtime.mutex(async () => {
        for (const stmt of this.prepared) await this.sqlite3.finalize(stmt);
        this.prepared.clear();
        await this.sqlite3.close(this.handle);
        this.handleClosed = true;
      });
      this.runtime.vfs.detach(this.fileName);
      this.engine.release();
      await this.backend.close();
      await this.ownedStore?.close();
    })();
    return this.closed;
  }

  checkOpen(): void {
    if (this.closing) throw new ClosedError(this.description);
  }

  /** A section of the module mutex on this connection's handle, refused once it is closed. */
  private section<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.runtime.mutex(() => {
      if (this.handleClosed) throw new ClosedError(this.description);
      return fn();
    });
  }

  /** Whether a transaction() of another caller owns the connection. */
  private isHeldByOther(caller?: object): boolean {
    return this.owner !== undefined && !this.isOwner(caller);
  }

  private isOwner(caller: object | undefined): boolean {
    const token = this.owner?.token;
    return token !== undefined && (caller === token || transactionScope.getStore() === token);
  }

  private async waitForOtherTransaction(): Promise<void> {
    while (this.owner && this.isHeldByOther()) await this.owner.done;
  }
}

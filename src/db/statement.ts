import * as SQLite from '@journeyapps/wa-sqlite';
import { ClosedError, ConflictError, InvalidArgumentError } from '../errors.js';
import type { Connection, RunResult } from './connection.js';
import type { BindParams, Row } from './values.js';

/**
 * A prepared statement, made by `Database.prepare()`. Parameters are bound afresh at each
 * execution. A statement runs one execution at a time, and is released by
 * {@link Statement.finalize} (or when its connection closes).
 */
export class Statement<T extends object = Row> {
  private handle: number | undefined;
  private iterating = false;

  /** @internal Made by `Database.prepare()`. */
  constructor(
    private readonly connection: Connection,
    handle: number,
    /** The statement's SQL text. */
    readonly sql: string,
    /** The transaction it was prepared in, whose token its operations carry. */
    private readonly caller?: object,
  ) {
    this.handle = handle;
  }

  /**
   * Run the statement and return every row. Outside an explicit transaction a statement that
   * writes and loses a commit race is re-run on the new head.
   */
  all(params?: BindParams): Promise<T[]> {
    return this.connection.operation(async () => {
      const { rows } = await this.connection.execute(this.ready(), this.sql, params, 'all');
      return rows as T[];
    }, this.caller);
  }

  /** Run the statement and return its first row (`undefined` when there is none). */
  get(params?: BindParams): Promise<T | undefined> {
    return this.connection.operation(async () => {
      const { rows } = await this.connection.execute(this.ready(), this.sql, params, 'first');
      return rows[0] as T | undefined;
    }, this.caller);
  }

  /** Run the statement to its end, discarding rows; returns what it changed. */
  run(params?: BindParams): Promise<RunResult> {
    return this.connection.operation(async () => {
      const execution = await this.connection.execute(this.ready(), this.sql, params, 'none');
      return { changes: execution.changes, lastInsertRowid: execution.lastInsertRowid };
    }, this.caller);
  }

  /**
   * Step through the rows one at a time: `for await (const row of stmt.iterate(params))`.
   * Other work on the connection may run between rows; the read snapshot stays pinned
   * until the iteration ends (or is left early). There is no automatic re-run: a write that
   * loses a commit race fails with `CONFLICT`.
   */
  async *iterate(params?: BindParams): AsyncGenerator<T, void, undefined> {
    const connection = this.connection;
    const stmt = this.ready();
    this.iterating = true;
    let finished = false;
    try {
      let columns: string[] | undefined;
      for (;;) {
        const row = await connection.operation(
          () =>
            connection.call(this.sql, async () => {
              if (!columns) {
                await connection.start(stmt, params, this.sql);
                columns = connection.sqlite3.column_names(stmt);
              }
              if ((await connection.sqlite3.step(stmt)) !== SQLite.SQLITE_ROW) return undefined;
              return connection.readRow(stmt, columns);
            }),
          this.caller,
        );
        if (!row) {
          finished = true;
          return;
        }
        yield row as T;
      }
    } catch (error) {
      finished = true;
      if (error instanceof ConflictError) await connection.rollbackQuietly();
      throw error;
    } finally {
      this.iterating = false;
      // Left early: reset, so the statement stops holding its read snapshot.
      if (!finished && this.handle !== undefined && !connection.isClosed) {
        await connection.call(this.sql, () => connection.resetQuietly(stmt));
      }
    }
  }

  /** Release the statement. Further use fails with `CLOSED`; finalizing twice is harmless. */
  async finalize(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) await this.connection.finalize(handle);
  }

  private ready(): number {
    this.connection.checkOpen();
    if (this.handle === undefined) throw new ClosedError(`statement "${this.sql}"`);
    if (this.iterating) {
      throw new InvalidArgumentError(
        `statement "${this.sql}" is being iterated; finish or leave that loop first`,
      );
    }
    return this.handle;
  }
}

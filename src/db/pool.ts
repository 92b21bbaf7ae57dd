import { ClosedError } from '../errors.js';
import type { StoreLocation } from '../store/url.js';
import { checkWholeNumber } from '../option-checks.js';
import {
  open,
  resolveLocation,
  type Database,
  type OpenOptions,
  type TransactionOptions,
} from './database.js';
import type { RunResult } from './connection.js';
import type { BindParams, Row } from './values.js';

/** Options of {@link openPool}: those of every connection, and how many read. */
export interface PoolOptions extends OpenOptions {
  /** Read connections, each serving one read at a time (default 4). */
  readers?: number;
}

/** Default number of read connections of a {@link DatabasePool}. */
export const DEFAULT_POOL_READERS = 4;

/**
 * Open a pool of connections to one database, for a server that runs independent requests
 * at the same time: `readers` read-only connections and one writer, all on one store (made
 * once from a URL, and closed with the pool) and each on its own SQLite engine while the
 * process's cap allows (see `configureEngines`), so one request's store round trips do not
 * hold up another's.
 *
 * @throws what {@link open} throws, and InvalidArgumentError for a bad `readers`.
 */
export async function openPool(
  location: string | StoreLocation,
  options: PoolOptions = {},
): Promise<DatabasePool> {
  const { readers = DEFAULT_POOL_READERS, ...openOptions } = options;
  checkWholeNumber('readers', readers, 1);
  const { store, prefix, layout, ownedStore } = resolveLocation(location, options.s3);
  const connect = (readOnly: boolean) =>
    open({ store, prefix }, { ...openOptions, layout: openOptions.layout ?? layout, readOnly });
  const opening = [
    connect(openOptions.readOnly ?? false),
    ...Array.from({ length: readers }, () => connect(true)),
  ];
  const opened = await Promise.allSettled(opening);
  const connections = opened.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failed = opened.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(connections.map((db) => db.close()));
    await ownedStore?.close();
    throw failed.reason;
  }
  const [writer, ...readConnections] = connections as [Database, ...Database[]];
  return new DatabasePool(writer, readConnections, async () => ownedStore?.close());
}

/**
 * Connections to one database for concurrent requests, made by {@link openPool}. Reads go to
 * a free read connection (waiting for one when all are busy) and see the newest committed
 * snapshot when they start; writes go to the single writer, one transaction at a time, with
 * every guarantee of {@link Database.transaction}.
 */
export class DatabasePool {
  private readonly idle: Database[];
  /** Reads waiting for a free read connection, in arrival order. */
  private readonly waiting: { resolve(reader: Database): void; reject(error: Error): void }[] = [];
  /** Reads holding a read connection: close() lets them finish. */
  private readonly running = new Set<Promise<unknown>>();
  private closed: Promise<void> | undefined;

  /** @internal Made by {@link openPool}. */
  constructor(
    private readonly writer: Database,
    private readonly readers: Database[],
    private readonly closeStore: () => Promise<void>,
  ) {
    this.idle = [...readers];
  }

  /** Names the database (prefix and store) in messages. */
  get description(): string {
    return this.writer.description;
  }

  /** Run one read-only statement on a free read connection and return its rows. */
  query<T extends object = Row>(sql: string, params?: BindParams): Promise<T[]> {
    return this.withReader((db) => db.query<T>(sql, params));
  }

  /** Run one read-only statement on a free read connection and return its first row. */
  queryOne<T extends object = Row>(sql: string, params?: BindParams): Promise<T | undefined> {
    return this.withReader((db) => db.queryOne<T>(sql, params));
  }

  /**
   * Run `fn` with a read connection of its own, inside one read transaction: every statement
   * of `fn` sees the same committed snapshot. Writes there fail with `READ_ONLY`.
   */
  read<R>(fn: (db: Database) => Promise<R>): Promise<R> {
    return this.withReader(async (db) => {
      await db.exec('BEGIN');
      try {
        return await fn(db);
      } finally {
        await db.exec('COMMIT');
      }
    });
  }

  /** Run one write statement on the writer, as its own transaction (re-run on a lost race). */
  run(sql: string, params?: BindParams): Promise<RunResult> {
    return this.writer.run(sql, params);
  }

  /**
   * Run `fn` in a write transaction on the writer: see {@link Database.transaction} (re-run on
   * a lost race, outcome known before it returns). Transactions of the pool run one at a time.
   */
  transaction<R>(fn: (db: Database) => Promise<R>, options?: TransactionOptions): Promise<R> {
    return this.writer.transaction(fn, options);
  }

  /**
   * Close every connection and a store made from a URL. Running reads and transactions finish
   * first; reads still waiting for a read connection fail with `CLOSED`.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      for (const read of this.waiting.splice(0)) read.reject(new ClosedError(this.description));
      await Promise.allSettled([...this.running]);
      await Promise.all([this.writer, ...this.readers].map((db) => db.close()));
      await this.closeStore();
    })();
    return this.closed;
  }

  private async withReader<R>(fn: (db: Database) => Promise<R>): Promise<R> {
    if (this.closed) throw new ClosedError(this.description);
    const reader =
      this.idle.pop() ??
      (await new Promise<Database>((resolve, reject) => this.waiting.push({ resolve, reject })));
    const running = fn(reader);
    this.running.add(running);
    try {
      return await running;
    } finally {
      this.running.delete(running);
      const next = this.waiting.shift();
      if (next) next.resolve(reader);
      else this.idle.push(reader);
    }
  }
}

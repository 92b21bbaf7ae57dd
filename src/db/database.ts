import { InvalidArgumentError } from '../errors.js';
import type { MetricsSnapshot } from '../store/metrics.js';
import type { ObjectStore } from '../store/types.js';
import { storeFromUrl, type S3UrlOptions, type StoreLocation } from '../store/url.js';
import type { GcOptions, GcReport } from '../volume/gc.js';
import { layoutFromUrl, openBackend, type Backend, type Layout } from '../layouts/index.js';
import type { CommitInfo, VolumeOptions, VolumeStats } from '../volume/types.js';
import {
  Connection,
  type Execution,
  type RunResult,
  type StatementResult,
  type StepMode,
} from './connection.js';
import { retryLostRaces, retryPolicy, type RetryPolicy } from './retry.js';
import { sqliteRuntime } from './sqlite-runtime.js';
import { Statement } from './statement.js';
import type { BindParams, Row } from './values.js';

/** Options of {@link open}: the volume's, plus how URLs reach S3 and how races are retried. */
export interface OpenOptions extends VolumeOptions {
  /** Endpoint, region, credentials… for `s3://` locations (default: the AWS environment). */
  s3?: S3UrlOptions;
  /**
   * How many times work that lost a commit race is re-run before failing with `CONFLICT`
   * (default 32): `transaction()` bodies, and statements run outside a transaction.
   */
  maxRetries?: number;
  /** Base of the jittered exponential back-off between re-runs, in ms (default 10). */
  retryDelayMs?: number;
  /**
   * How the database is stored (default `auto`, or `blocks` for an `s3vfs://` URL):
   * - `s3lite`: this library's format, everything described above;
   * - `blocks`: the layout of the Python sqlite-s3vfs, one object per fixed-size block of the
   *   database file, read and written in place with SQLite's own rollback journal beside it.
   *   It has no locks: writing needs `singleWriter: true`, the promise that no other process
   *   writes the database meanwhile (otherwise it opens read-only);
   * - `object`: a regular SQLite file stored as one object, read in place (read-only) with
   *   ranged GETs pinned to its ETag;
   * - `auto`: an s3lite database when the prefix has its marker; otherwise `blocks` when it
   *   holds `<prefix>/0000000000`, `object` when it holds nothing but an object of that name
   *   is a SQLite file, and else a new s3lite database.
   * `cache`, `readAheadMax`, `readOnly`, `singleWriter` (and `writeBufferBytes`, for blocks)
   * apply to every layout; commits, checkpoints, `at` and `gc()` to the s3lite format only.
   */
  layout?: Layout | 'auto';
  /**
   * Bytes per block of the blocks layout (sqlite-s3vfs's `block_size`, any size). By default
   * block 0's length when the database has several blocks, else 4096 (sqlite-s3vfs's
   * default); give it for a database smaller than one block of another size.
   */
  blockSize?: number;
}

/** Options of {@link Database.transaction}. */
export interface TransactionOptions {
  /** Overrides the connection's `maxRetries` for this transaction. */
  maxRetries?: number;
}

/** Counters of one connection, from {@link Database.stats}. */
export interface DatabaseStats {
  /**
   * The store's request metrics: requests by kind, bytes in and out, retries, errors,
   * latency. They count every user of the same store object (for example every connection
   * opened on one `memory://name`).
   */
  store: MetricsSnapshot;
  /**
   * This connection's storage (a volume, or the file of another layout): cache hits and
   * misses, pages prefetched, commits, conflicts.
   */
  volume: VolumeStats;
  /** The commit this connection last pinned. */
  snapshot: CommitInfo;
}

/**
 * Open a database. `location` is a URL — `s3://bucket/prefix`, `file:///dir/prefix`,
 * `memory://name/prefix` — or a store and a key prefix. Nothing is written until the first
 * write commits, which creates the database.
 *
 * Every SQLite journal mode that keeps a rollback journal works (DELETE, TRUNCATE, PERSIST,
 * MEMORY, OFF); each makes the same atomic commits. `PRAGMA journal_mode=WAL` is not
 * available: SQLite keeps the current mode and answers with its name (as it does on any VFS
 * without shared memory). `PRAGMA locking_mode=EXCLUSIVE` is refused with an error.
 *
 * @throws InvalidArgumentError for a malformed URL or option; store errors when the
 *   database cannot be read; `CORRUPT`, `FORMAT_VERSION`, `NOT_A_DATABASE` for what lies
 *   at the prefix.
 */
export async function open(
  location: string | StoreLocation,
  options: OpenOptions = {},
): Promise<Database> {
  if (typeof location !== 'string' && typeof location?.store !== 'object') {
    throw new InvalidArgumentError(
      `open() needs a location URL string or { store, prefix }, not ${String(location)}`,
    );
  }
  const { s3, maxRetries, retryDelayMs, ...backendOptions } = options;
  const retry = retryPolicy(maxRetries, retryDelayMs, options.clock, options.random);
  const url = typeof location === 'string' ? layoutFromUrl(location) : undefined;
  const { store, prefix } = url ? storeFromUrl(url.url, s3) : (location as StoreLocation);
  // A store made from a URL belongs to the connection; one passed in belongs to the caller.
  const ownedStore: ObjectStore | undefined = url ? store : undefined;
  let backend: Backend | undefined;
  try {
    backend = await openBackend(store, prefix, {
      ...backendOptions,
      layout: backendOptions.layout ?? url?.layout,
    });
    const connection = await Connection.open(await sqliteRuntime(), backend, ownedStore, retry);
    return new Database(connection);
  } catch (error) {
    await backend?.close();
    await ownedStore?.close();
    throw error;
  }
}

/**
 * A connection to one database: SQL in, rows out, with snapshot reads and atomic commits.
 * Made by {@link open}.
 *
 * Each statement outside an explicit transaction is its own transaction; when it writes and
 * another writer commits first, it is re-run on the new head (up to `maxRetries` times).
 * Inside an explicit transaction a lost race fails with `ConflictError` and rolls the
 * transaction back (it could never commit): use {@link Database.transaction} to have the
 * whole transaction re-run.
 *
 * Errors are typed: `SqliteError` (code `SQLITE_ERROR`) with SQLite's message, its result
 * code and the statement; `ConflictError` (`CONFLICT`) for a lost commit race; the store's
 * or volume's own errors (`CORRUPT` naming the key, `UNREACHABLE`, `READ_ONLY`, …) when the
 * storage failed; `ClosedError` (`CLOSED`) after {@link Database.close}.
 */
export class Database {
  /** @internal Made by {@link open}. */
  constructor(private readonly connection: Connection) {}

  /** Names the database (prefix and store) in messages. */
  get description(): string {
    return this.connection.description;
  }

  /** How the database is stored (the layout `auto` found). */
  get layout(): Layout {
    return this.connection.backend.layout;
  }

  /** Whether {@link close} has been called. */
  get closed(): boolean {
    return this.connection.isClosed;
  }

  /**
   * Run a script of any number of statements (no parameters, rows discarded). A statement
   * that loses a commit race outside a transaction is re-run; the statements before it,
   * already committed, are not.
   */
  async exec(sql: string): Promise<void> {
    await this.connection.operation(() => this.connection.exec(sql, true));
  }

  /**
   * Like {@link exec}, but returns each statement's column names and rows, in order (for
   * tools that run user scripts). A statement without result columns (CREATE, INSERT, …)
   * has empty `columns`.
   */
  script(sql: string): Promise<StatementResult[]> {
    return this.connection.operation(() => this.connection.exec(sql, true, true));
  }

  /** Run one statement and return all its rows as objects. `T` is not checked. */
  query<T extends object = Row>(sql: string, params?: BindParams): Promise<T[]> {
    return this.once(sql, params, 'all').then((execution) => execution.rows as T[]);
  }

  /** Run one statement and return its first row, or `undefined`. */
  queryOne<T extends object = Row>(sql: string, params?: BindParams): Promise<T | undefined> {
    return this.once(sql, params, 'first').then((execution) => execution.rows[0] as T | undefined);
  }

  /** Run one statement to its end; returns the rows it changed and the last rowid inserted. */
  async run(sql: string, params?: BindParams): Promise<RunResult> {
    const { changes, lastInsertRowid } = await this.once(sql, params, 'none');
    return { changes, lastInsertRowid };
  }

  /**
   * Prepare one statement for repeated use; {@link Statement.finalize} it when done.
   * @throws InvalidArgumentError when `sql` holds no statement or several.
   */
  prepare<T extends object = Row>(sql: string): Promise<Statement<T>> {
    return this.connection.operation(
      async () => new Statement<T>(this.connection, await this.connection.prepare(sql), sql),
    );
  }

  /**
   * Run `fn` inside `BEGIN IMMEDIATE … COMMIT`. When the commit (or the BEGIN) loses a race
   * to another writer, the transaction is rolled back and `fn` runs again on the new head,
   * after a jittered back-off, up to `maxRetries` times; then `ConflictError`. `fn` must
   * therefore be safe to repeat (no side effects outside the database). Any other error
   * from `fn` rolls back and is rethrown.
   *
   * Progress is fair among competing writers: one that loses two races in a row takes a turn,
   * an empty commit that reserves the next commit for it for about two of its attempts; it
   * re-runs at once, and every writer that meets the turn waits until it ends instead of
   * backing off (`stats().volume.turns` counts the turns taken). This bounds how many races
   * in a row a writer loses, and costs no request without contention.
   *
   * A commit ends in one of three outcomes, always found out before this returns:
   * - committed: the promise resolves with `fn`'s result. Work after the commit point
   *   (checkpoints, clean-up, automatic GC) never turns it into an error; its failures go to
   *   `stats().volume.backgroundErrors` and `onBackgroundError`.
   * - not committed: the promise rejects (`ConflictError` once the retries are spent, or the
   *   error that stopped it) and nothing of the transaction is visible.
   * - unknown: the commit record was sent and no answer could be had, even by sending it again
   *   and reading it back: `UnknownOutcomeError` (`UNKNOWN_OUTCOME`, not retryable), naming the
   *   commit number and transaction id to look for. `fn` is then never re-run, nor after a run
   *   that committed anything.
   *
   * Other callers of this connection wait until the transaction ends; `fn` itself uses the
   * connection normally. Transactions do not nest (use SAVEPOINT inside).
   */
  transaction<R>(fn: (db: Database) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    const connection = this.connection;
    const policy: RetryPolicy =
      options.maxRetries === undefined
        ? connection.retry
        : retryPolicy(
            options.maxRetries,
            connection.retry.baseDelayMs,
            connection.retry.clock,
            connection.retry.random,
          );
    let commitsBefore = 0;
    return connection.exclusive(() =>
      retryLostRaces(
        policy,
        connection.description,
        async () => {
          commitsBefore = connection.backend.stats().commits;
          try {
            await connection.operation(() => connection.exec('BEGIN IMMEDIATE', false));
            const result = await fn(this);
            await connection.operation(() => connection.exec('COMMIT', false));
            return result;
          } catch (error) {
            await connection.rollbackQuietly();
            throw error;
          }
        },
        // A run that committed (fn ran COMMIT itself) must not be applied a second time.
        async () => connection.backend.stats().commits === commitsBefore,
      ),
    );
  }

  /**
   * Collect garbage in this database (see {@link gc}): what `options` asks for is kept, or else
   * what the connection was opened with (`retention`). Safe while others read and write.
   * @throws ReadOnlyError on a connection opened read-only or at a past commit (unless `dryRun`);
   *   InvalidArgumentError for a database in a layout without garbage (blocks, object).
   */
  gc(options: GcOptions = {}): Promise<GcReport> {
    return this.connection.operation(async () => {
      const backend = this.connection.backend;
      if (!backend.gc) {
        throw new InvalidArgumentError(
          `"${backend.prefix}" is in the ${backend.layout} layout: garbage collection is for ` +
            'the s3lite format',
        );
      }
      return backend.gc(options);
    });
  }

  /** Request metrics of the store and counters of this connection's storage. */
  stats(): DatabaseStats {
    const backend = this.connection.backend;
    return {
      store: backend.store.metrics.snapshot(),
      volume: backend.stats(),
      snapshot: backend.snapshot,
    };
  }

  /**
   * Close the connection (and a store it opened from a URL). Waits for running work;
   * an open transaction is rolled back. Closing twice is harmless.
   */
  close(): Promise<void> {
    return this.connection.close();
  }

  /** Prepare, run and finalize `sql`, as one operation (which `close()` waits for). */
  private once(sql: string, params: BindParams | undefined, mode: StepMode): Promise<Execution> {
    return this.connection.operation(async () => {
      const stmt = await this.connection.prepare(sql);
      try {
        return await this.connection.execute(stmt, sql, params, mode);
      } finally {
        await this.connection.finalize(stmt);
      }
    });
  }
}

import pLimit from 'p-limit';
// From database.js, not the db barrel: that one also brings file import, which needs Node.
import { Database, open, type DatabaseStats } from '../db/database.js';
import type { BindValue } from '../db/values.js';
import { ClosedError, ConflictError, InvalidArgumentError, NotFoundError } from '../errors.js';
import { compileQuery, type CompiledQuery } from './compile-query.js';
import { decodeRecord, encodeRecord } from './encode.js';
import { SyncConflictError } from './errors.js';
import { parseQuery, usesRegex, type ParsedQuery } from './parse-query.js';
import { ReadWindow } from './read-window.js';
import { rowValues, Schema } from './schema.js';
import { SyncBuffer } from './sync-buffer.js';
import type {
  MetaStoreLocation,
  MetaStoreOptions,
  ResourceMeta,
  ResourceMetaInit,
  SearchQuery,
  SyncOptions,
} from './types.js';
import { checkOptions, type Settings } from './settings.js';
import { checkMeta, checkText } from './values.js';

/** Ids read per query while iterating the whole store. */
const SCAN_BATCH = 500;

/** Thrown inside a sync transaction whose head is not the buffer's base (`onConflict: 'error'`). */
class StaleBase {
  constructor(readonly head: number) {}
}

/**
 * Resource metadata in one table of an s3lite database: a Map-like API and searches compiled
 * to SQL. Made by {@link MetaStore.open}.
 *
 * Writes are key-level upserts and deletes. With `autoSync` each is one commit (a few page
 * PUTs and the commit record); with `syncInterval` the writes of each interval become one
 * commit, made by a timer; without `autoSync` they wait for {@link sync}. Buffered writes are
 * seen by this instance's reads at once, and are never dropped because another instance
 * committed: they are re-applied on the new head (`onConflict: 'retry'`) or kept while
 * {@link SyncConflictError} reports the conflict (`'error'`).
 *
 * Reads may be up to `readCheckInterval` ms stale (see {@link MetaStoreOptions}). Operations
 * of one store run one at a time, in call order.
 */
export class MetaStore {
  /**
   * Runs the store's operations one at a time, in call order: they read and change shared
   * state (the held read transaction, the buffer, the connection's transaction), so they must
   * not interleave at their awaits.
   */
  private readonly inCallOrder = pLimit(1);
  private timer: NodeJS.Timeout | undefined;
  /** When the running interval's writes are due to be committed (Date.now() time). */
  private syncDue: number | undefined;
  private closed = false;

  private constructor(
    private readonly db: Database,
    /** Whether the store opened `db` (and so closes it, and may hold read transactions). */
    private readonly owned: boolean,
    private readonly schema: Schema,
    private readonly buffer: SyncBuffer,
    private readonly reads: ReadWindow,
    private readonly settings: Settings,
  ) {}

  /**
   * Open the store at `where` — a location URL (`s3://bucket/prefix`, `file:///dir/prefix`,
   * `memory://name/prefix`), a store and prefix, or an open {@link Database} (which stays the
   * caller's: {@link close} leaves it open) — creating its table on first use.
   * @throws InvalidArgumentError for a bad option, or a table of that name that is not a
   *   metadata store's; the errors of `open()` for the location.
   */
  static async open(where: MetaStoreLocation, options: MetaStoreOptions = {}): Promise<MetaStore> {
    const owned = !(where instanceof Database);
    const settings = checkOptions(options, owned);
    const schema = new Schema(settings.table, settings.indexedFields);
    const db = where instanceof Database ? where : await open(where, options.openOptions);
    try {
      await schema.ensure(db);
      const name = `s3lite_pending_${crypto.randomUUID().replaceAll('-', '')}`;
      const buffer = new SyncBuffer(db, schema, name);
      await buffer.create();
      const reads = new ReadWindow(db, settings.readCheckInterval, owned);
      return new MetaStore(db, owned, schema, buffer, reads, settings);
    } catch (error) {
      if (owned) await db.close();
      throw error;
    }
  }

  /** Names the store in messages. */
  get description(): string {
    return `metadata store "${this.schema.tableName}" in ${this.db.description}`;
  }

  /** How many changes are buffered, not yet committed. */
  get pending(): number {
    return this.buffer.count;
  }

  /** The record stored under `id`, or undefined. */
  async get(id: string): Promise<ResourceMeta | undefined> {
    checkText(id, 'id');
    const row = await this.read('one', () =>
      this.db.queryOne<{ data: Uint8Array }>(
        `SELECT m.data AS data FROM ${this.buffer.source()} WHERE m.resource_id = ?`,
        [id],
      ),
    );
    return row && this.decode(row.data, id);
  }

  /** Whether a record is stored under `id`. */
  async has(id: string): Promise<boolean> {
    checkText(id, 'id');
    return this.read('one', () => this.exists(id));
  }

  /**
   * Store `meta` under `id` (its `resourceId`), replacing any record there.
   * @throws InvalidArgumentError for a malformed record; `SyncConflictError` (the write stays
   *   buffered) with `onConflict: 'error'`; the database's errors when the commit fails.
   */
  async set(id: string, meta: ResourceMetaInit): Promise<void> {
    checkText(id, 'id');
    const row = this.row(checkMeta(meta, id));
    await this.operation(() => this.write([row], []));
  }

  /** Store every record of `metas` (a later one of the same id wins), all in one commit. */
  async saveMany(metas: Iterable<ResourceMetaInit>): Promise<void> {
    const rows = [...metas].map((meta) => this.row(checkMeta(meta)));
    if (rows.length > 0) await this.operation(() => this.write(rows, []));
  }

  /**
   * Remove the record under `id`.
   * @throws NotFoundError when there is none (checked on the head, not a held snapshot).
   */
  async delete(id: string): Promise<void> {
    checkText(id, 'id');
    await this.operation(async () => {
      await this.reads.end();
      if (!(await this.exists(id))) throw new NotFoundError(id, this.description);
      await this.write([], [id]);
    });
  }

  /**
   * Remove every record, buffered ones included, in one commit made now (whatever
   * `autoSync` says), subject to `onConflict` like a sync.
   */
  async clear(): Promise<void> {
    await this.operation(async () => {
      this.stopTimer();
      const base = this.buffer.base ?? this.db.stats().snapshot.seq;
      try {
        await this.commit(this.settings.onConflict, base, async (tx) => {
          await tx.run(`DELETE FROM main.${this.schema.table}`);
          await this.buffer.clear(tx);
        });
      } finally {
        await this.buffer.recount();
      }
    });
  }

  /** How many records are stored. */
  async size(): Promise<number> {
    const row = await this.read('one', () =>
      this.db.queryOne<{ n: number }>(`SELECT count(*) AS n FROM ${this.buffer.source()}`),
    );
    return row?.n ?? 0;
  }

  /**
   * Every id, in ascending order. Read in batches, each at most `readCheckInterval` stale: an
   * id is never seen twice, but changes made during the iteration may or may not be.
   */
  async *keys(): AsyncIterableIterator<string> {
    for await (const row of this.scan(false)) yield row.id;
  }

  /** Every record, in ascending id order (batched as {@link keys} is). */
  async *values(): AsyncIterableIterator<ResourceMeta> {
    for await (const row of this.scan(true)) yield this.decode(row.data as Uint8Array, row.id);
  }

  /** Every `[id, record]`, in ascending id order (batched as {@link keys} is). */
  async *entries(): AsyncIterableIterator<[string, ResourceMeta]> {
    for await (const row of this.scan(true)) {
      yield [row.id, this.decode(row.data as Uint8Array, row.id)];
    }
  }

  /** Same as {@link entries}, so `for await (const [id, meta] of store)` works. */
  [Symbol.asyncIterator](): AsyncIterableIterator<[string, ResourceMeta]> {
    return this.entries();
  }

  /**
   * The records `query` selects, sorted and paged (default: the first 10 by id). The page is
   * read at once, on one snapshot, and decoded as it is iterated.
   * @throws InvalidArgumentError (at once, not from the iterator) for a malformed query.
   */
  search(query: SearchQuery = {}): AsyncIterableIterator<ResourceMeta> {
    return this.runSearch(this.parse(query));
  }

  /** {@link search} into an array. */
  async searchAll(query: SearchQuery = {}): Promise<ResourceMeta[]> {
    const found: ResourceMeta[] = [];
    for await (const meta of this.search(query)) found.push(meta);
    return found;
  }

  /** How many records `query` selects, ignoring its `limit` and `offset`. */
  async count(query: SearchQuery = {}): Promise<number> {
    const parsed = this.parse(query);
    const row = await this.read(usesRegex(parsed) ? 'many' : 'one', async () => {
      const compiled = await this.compile(parsed);
      return this.db.queryOne<{ n: number }>(
        `SELECT count(*) AS n FROM ${this.buffer.source()} WHERE ${compiled.where}`,
        compiled.whereParams,
      );
    });
    return row?.n ?? 0;
  }

  /**
   * Commit the buffered changes now (nothing happens when there are none).
   * @throws SyncConflictError with `onConflict: 'error'` when another instance committed since
   *   the changes began; `ConflictError` when `'retry'` lost too many races in a row; the
   *   store's errors. The changes stay buffered after any failure.
   */
  async sync(options: SyncOptions = {}): Promise<void> {
    const onConflict = options.onConflict ?? this.settings.onConflict;
    if (onConflict !== 'retry' && onConflict !== 'error') {
      throw new InvalidArgumentError(
        `onConflict must be 'retry' or 'error', not ${String(onConflict)}`,
      );
    }
    await this.operation(() => this.flush(onConflict));
  }

  /** Drop the buffered changes: reads show the database's records again. */
  async discard(): Promise<void> {
    await this.operation(async () => {
      this.stopTimer();
      await this.reads.end();
      await this.buffer.clear();
      await this.buffer.recount();
    });
  }

  /** The connection's request metrics and counters (see `Database.stats()`). */
  stats(): DatabaseStats {
    return this.db.stats();
  }

  /**
   * Commit the buffered changes, then release the connection (when the store opened it) or
   * its TEMP table. If the sync fails the store stays open, changes still buffered, and the
   * error is thrown: nothing buffered is ever dropped silently. Closing twice is harmless.
   */
  async close(): Promise<void> {
    await this.inCallOrder(async () => {
      if (this.closed) return;
      await this.flush(this.settings.onConflict);
      this.stopTimer();
      await this.reads.end();
      if (this.owned) await this.db.close();
      else await this.buffer.drop();
      this.closed = true;
    });
  }

  /** Run `task` after the store's earlier operations, refused once the store is closed. */
  private operation<T>(task: () => Promise<T>): Promise<T> {
    return this.inCallOrder(() => {
      if (this.closed) throw new ClosedError(this.description);
      return task();
    });
  }

  /** An operation that only reads, on a snapshot at most `readCheckInterval` old. */
  private read<T>(statements: 'one' | 'many', task: () => Promise<T>): Promise<T> {
    return this.operation(() => this.reads.run(statements, task));
  }

  private async exists(id: string): Promise<boolean> {
    const row = await this.db.queryOne(
      `SELECT 1 AS found FROM ${this.buffer.source()} WHERE m.resource_id = ?`,
      [id],
    );
    return row !== undefined;
  }

  private row(meta: ResourceMeta): BindValue[] {
    return rowValues(meta, encodeRecord(meta, this.settings.encoding));
  }

  private decode(data: Uint8Array, id: string): ResourceMeta {
    return decodeRecord(data, `row ${JSON.stringify(id)} of ${this.description}`);
  }

  /** Buffer a write, then commit it as `autoSync` and `syncInterval` say. */
  private async write(rows: BindValue[][], deletes: string[]): Promise<void> {
    await this.reads.end();
    await this.buffer.add(rows, deletes, this.db.stats().snapshot.seq);
    if (!this.settings.autoSync) return;
    const due = this.syncDue;
    // Writes that never yield to the event loop (a tight loop of buffered writes) keep the
    // timer from firing: then the first write past the interval commits.
    if (this.settings.syncInterval === 0 || (due !== undefined && Date.now() >= due)) {
      await this.flush(this.settings.onConflict);
    } else {
      this.startTimer();
    }
  }

  /** Commit the buffered changes, if any. */
  private async flush(onConflict: 'retry' | 'error'): Promise<void> {
    this.stopTimer();
    const base = this.buffer.base;
    if (base === undefined) return;
    try {
      await this.commit(onConflict, base, (tx) => this.buffer.apply(tx));
    } finally {
      await this.buffer.recount();
    }
  }

  /**
   * Run `body` in a write transaction. With `'retry'` a lost commit race re-runs it on the new
   * head; with `'error'` a head other than `base` (or a lost race) is a
   * {@link SyncConflictError} and nothing is written.
   */
  private async commit(
    onConflict: 'retry' | 'error',
    base: number,
    body: (tx: Database) => Promise<void>,
  ): Promise<void> {
    await this.reads.end();
    const strict = onConflict === 'error';
    try {
      await this.db.transaction(
        async (tx) => {
          // BEGIN IMMEDIATE has just checked the head: this is the commit written on.
          const head = tx.stats().snapshot.seq;
          if (strict && head !== base) throw new StaleBase(head);
          await body(tx);
        },
        strict ? { maxRetries: 0 } : {},
      );
    } catch (error) {
      if (error instanceof StaleBase) {
        throw new SyncConflictError(base, error.head, this.buffer.count, this.description);
      }
      if (strict && error instanceof ConflictError) {
        // Another instance committed between our check and our commit: find its commit.
        await this.db.queryOne('SELECT 1 FROM sqlite_schema LIMIT 1');
        const head = this.db.stats().snapshot.seq;
        throw new SyncConflictError(base, head, this.buffer.count, this.description, {
          cause: error,
        });
      }
      throw error;
    }
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    this.syncDue = Date.now() + this.settings.syncInterval;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.syncDue = undefined;
      this.inCallOrder(() =>
        this.closed ? Promise.resolve() : this.flush(this.settings.onConflict),
      ).catch((error: Error) => this.settings.onSyncError?.(error));
    }, this.settings.syncInterval);
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.syncDue = undefined;
  }

  /** Check `query`; the declared hot fields may be spelled like AutoCRUD's meta names. */
  private parse(query: SearchQuery): ParsedQuery {
    return parseQuery(query, new Set(this.settings.indexedFields));
  }

  private compile(parsed: ParsedQuery): Promise<CompiledQuery> {
    return compileQuery(parsed, {
      hotFields: this.schema.hotFields,
      source: this.buffer.source(),
      query: (sql, params) => this.db.query(sql, params),
    });
  }

  /** The page `parsed` selects, read on one snapshot, decoded as it is iterated. */
  private async *runSearch(parsed: ParsedQuery): AsyncIterableIterator<ResourceMeta> {
    const rows = await this.read(usesRegex(parsed) ? 'many' : 'one', async () => {
      const compiled = await this.compile(parsed);
      const limit = parsed.limit === Infinity ? -1 : parsed.limit;
      return this.db.query<{ id: string; data: Uint8Array }>(
        `SELECT m.resource_id AS id, m.data AS data FROM ${this.buffer.source()} WHERE ${compiled.where} ORDER BY ${compiled.orderBy} LIMIT ? OFFSET ?`,
        [...compiled.whereParams, ...compiled.orderParams, limit, parsed.offset],
      );
    });
    for (const row of rows) yield this.decode(row.data, row.id);
  }

  /** Every row in id order, in batches of {@link SCAN_BATCH}. */
  private async *scan(withData: boolean): AsyncIterableIterator<{ id: string; data?: Uint8Array }> {
    let after: string | undefined;
    for (;;) {
      const rows = await this.read('one', () =>
        this.db.query<{ id: string; data?: Uint8Array }>(
          `SELECT m.resource_id AS id${withData ? ', m.data AS data' : ''} FROM ${this.buffer.source()}${after === undefined ? '' : ' WHERE m.resource_id > ?'} ORDER BY m.resource_id LIMIT ${SCAN_BATCH}`,
          after === undefined ? [] : [after],
        ),
      );
      yield* rows;
      const last = rows[rows.length - 1];
      if (rows.length < SCAN_BATCH || last === undefined) return;
      after = last.id;
    }
  }
}

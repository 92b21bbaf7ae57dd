import {
  ClosedError,
  ConflictError,
  CorruptError,
  InvalidArgumentError,
  NotFoundError,
  PreconditionFailedError,
  ReadOnlyError,
  UnsafeStoreError,
} from '../errors.js';
import {
  checkpointKey,
  checksum,
  commitKey,
  encodeCheckpoint,
  encodeCheckpointHint,
  encodeCommitRecord,
  encodeMarker,
  latestCheckpointKey,
  databasePrefix,
  decodeMarker,
  markerKey,
  pageKey,
  type CommitRecord,
} from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import {
  applyCommit,
  catchUp,
  loadCommit,
  loadHead,
  readCommit,
  type Snapshot,
} from './commit-log.js';
import { sharedPageCache, type PageCache } from './page-cache.js';
import { ReadAhead } from './read-ahead.js';
import { Transaction } from './transaction.js';
import type { CommitInfo, VolumeOptions, VolumeStats } from './types.js';

const DEFAULT_WRITE_BUFFER = 64 * 1024 * 1024;
const DEFAULT_CHECKPOINT_INTERVAL = 32;
const DEFAULT_READ_AHEAD = 64;

/** Stores seen to refuse a create-only PUT of an existing key: checked once per store object. */
const verifiedStores = new WeakSet<ObjectStore>();

/**
 * One database under a key prefix, seen as a sequence of commits. A volume pins one commit
 * (its snapshot) and reads pages of it through the page cache; a write transaction buffers
 * changed pages and commits them with a single create-only PUT of the next commit record,
 * which either wins (the transaction is visible, all at once) or loses to another writer
 * (nothing of it is visible). Knows nothing of SQLite's C API: it is a byte-addressed file
 * with read and write transactions.
 */
export class Volume {
  private snapshotState: Snapshot;
  /** The marker's bytes as stored; undefined while the database does not exist yet. */
  private marker: Uint8Array | undefined;
  /** The head was probed moments ago (at open); the next read transaction need not probe. */
  private headFresh = true;
  private txn: Transaction | undefined;
  /** Page objects the open transaction uploaded early (garbage unless its commit names them). */
  private earlyUploads = new Set<string>();
  private closed = false;
  private readonly cache: PageCache;
  private readonly readAhead: ReadAhead;
  private readonly counters: VolumeStats = {
    cacheHits: 0,
    cacheMisses: 0,
    pagesPrefetched: 0,
    commits: 0,
    conflicts: 0,
    pagesUploadedEarly: 0,
  };

  private constructor(
    readonly store: ObjectStore,
    readonly prefix: string,
    private readonly options: Required<Omit<VolumeOptions, 'cache' | 'at'>> & {
      at: number | undefined;
    },
    cache: PageCache,
    head: { marker: Uint8Array | undefined; snapshot: Snapshot },
  ) {
    this.cache = cache;
    this.marker = head.marker;
    this.snapshotState = head.snapshot;
    this.readAhead = new ReadAhead(options.readAheadMax);
  }

  /** Open the database at `prefix`: a constant number of requests, whatever its size. */
  static async open(
    store: ObjectStore,
    prefix: string,
    options: VolumeOptions = {},
  ): Promise<Volume> {
    const normalized = prefix.replace(/^\/+|\/+$/g, '');
    const settings = {
      writeBufferBytes: options.writeBufferBytes ?? DEFAULT_WRITE_BUFFER,
      checkpointInterval: options.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL,
      readAheadMax: options.readAheadMax ?? DEFAULT_READ_AHEAD,
      prefetch: options.prefetch ?? false,
      singleWriter: options.singleWriter ?? false,
      readOnly: (options.readOnly ?? false) || options.at !== undefined,
      at: options.at,
    };
    if (!(settings.checkpointInterval >= 1)) {
      throw new InvalidArgumentError(`checkpointInterval must be at least 1`);
    }
    if (options.at !== undefined && !(Number.isSafeInteger(options.at) && options.at >= 0)) {
      throw new InvalidArgumentError(
        `at must be a commit number (a whole number ≥ 0), not ${options.at}`,
      );
    }
    const head =
      options.at === undefined
        ? await loadHead(store, normalized, settings.checkpointInterval)
        : { marker: undefined, snapshot: await loadCommit(store, normalized, options.at) };
    const volume = new Volume(
      store,
      normalized,
      settings,
      options.cache ?? sharedPageCache(),
      head,
    );
    if (settings.prefetch) await volume.prefetchAll();
    return volume;
  }

  /** The pinned commit. */
  get snapshot(): CommitInfo {
    const s = this.snapshotState;
    return {
      seq: s.seq,
      txid: s.txid,
      time: s.time,
      pageSize: s.map.pageSize,
      pageCount: s.map.pageCount,
      changedPages: s.changedPages,
    };
  }

  /** Bytes in the file: the snapshot's, or the open write transaction's. */
  get size(): number {
    return this.txn
      ? this.txn.size
      : this.snapshotState.map.pageCount * this.snapshotState.map.pageSize;
  }

  get inTransaction(): boolean {
    return this.txn !== undefined;
  }

  get hasChanges(): boolean {
    return this.txn?.hasChanges ?? false;
  }

  /** Start a read transaction at the newest commit (at most one GET; none right after open). */
  async beginRead(): Promise<void> {
    this.checkOpen();
    // A volume opened at a past commit stays there.
    if (this.txn || this.options.at !== undefined) return;
    if (this.headFresh) {
      this.headFresh = false;
      return;
    }
    await this.refresh();
  }

  endRead(): void {
    this.readAhead.reset();
  }

  /** Move the snapshot to the newest commit. Returns whether it moved. */
  async refresh(): Promise<boolean> {
    this.checkOpen();
    if (this.txn) throw new InvalidArgumentError('cannot refresh inside a write transaction');
    const before = this.snapshotState.seq;
    if (!this.marker) {
      // Emptiness was checked at open; a creator writes the marker before anything else.
      const head = await loadHead(this.store, this.prefix, this.options.checkpointInterval, false);
      this.marker = head.marker;
      this.snapshotState = head.snapshot;
    } else {
      this.snapshotState = await catchUp(
        this.store,
        this.prefix,
        this.snapshotState,
        this.options.checkpointInterval,
        1,
      );
    }
    return this.snapshotState.seq !== before;
  }

  /**
   * Start a write transaction on the pinned snapshot. Fails at once with `ConflictError` when
   * another writer has already committed after it (one GET), so no work is wasted.
   */
  async beginWrite(): Promise<void> {
    this.checkOpen();
    if (this.txn) return;
    if (this.options.readOnly) throw new ReadOnlyError(`${this.describe()} is open read-only`);
    await this.ensureSafeStore();
    if (this.marker && (await readCommit(this.store, this.prefix, this.snapshotState.seq + 1))) {
      this.counters.conflicts += 1;
      throw new ConflictError(
        `${this.describe()}: commit ${this.snapshotState.seq + 1} was made by another writer after this snapshot`,
      );
    }
    const map = this.snapshotState.map;
    const base = this.snapshotState;
    this.earlyUploads = new Set();
    this.txn = new Transaction(
      map.pageSize,
      map.pageCount * map.pageSize,
      {
        readBase: (offset, length) => this.readSnapshot(base, offset, length),
        readUploaded: (pageNo, crc) =>
          this.readPage(pageKey(this.prefix, this.txnOrThrow().txid, pageNo, crc), crc),
        uploadEarly: (pages) => this.uploadEarly(pages),
      },
      this.options.writeBufferBytes,
    );
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.checkOpen();
    if (this.txn) return this.txn.read(offset, length);
    return this.readSnapshot(this.snapshotState, offset, length);
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    this.checkOpen();
    await this.txnOrThrow().write(offset, data);
  }

  /**
   * Store this transaction's pages in pages of `pageSize` bytes from now on (the file's
   * bytes do not change). For a writer that changed the page size while writing in chunks of
   * the old one, as SQLite's VACUUM does.
   */
  async setPageSize(pageSize: number): Promise<void> {
    this.checkOpen();
    await this.txnOrThrow().setPageSize(pageSize);
  }

  async truncate(size: number): Promise<void> {
    this.checkOpen();
    this.txnOrThrow().truncate(size);
  }

  /**
   * Make the transaction visible: upload its remaining pages in parallel, then create the
   * next commit record with `If-None-Match: *` — the one commit point. Another writer's
   * record in that place means a lost race: `ConflictError`, nothing visible.
   */
  async commit(): Promise<CommitInfo> {
    this.checkOpen();
    const txn = this.txnOrThrow();
    if (!txn.hasChanges) {
      this.txn = undefined;
      return this.snapshot;
    }
    try {
      const content = await txn.commitContent();
      if (!this.marker) await this.createMarker();
      await Promise.all(
        content.toUpload.map(([pageNo, page, crc]) =>
          this.store.put(pageKey(this.prefix, txn.txid, pageNo, crc), page),
        ),
      );
      const base = this.snapshotState;
      const record: CommitRecord = {
        seq: base.seq + 1,
        txid: txn.txid,
        time: Date.now(),
        pageSize: content.pageSize,
        pageCount: content.pageCount,
        checkpoint: base.checkpointSeq,
        pages: content.pages,
      };
      const committedKeys = new Set(
        content.pages.map(([pageNo, crc]) => pageKey(this.prefix, txn.txid, pageNo, crc)),
      );
      await this.createCommitRecord(record, [...committedKeys, ...this.earlyUploads]);
      // Early uploads of pages rewritten later in the transaction are garbage already.
      await this.discard([...this.earlyUploads].filter((key) => !committedKeys.has(key)));
      for (const [pageNo, page, crc] of content.toUpload) {
        this.cache.set(this.cacheKey(pageKey(this.prefix, txn.txid, pageNo, crc)), page);
      }
      this.snapshotState = applyCommit(base, record);
      this.counters.commits += 1;
      await this.maybeCheckpoint();
      return this.snapshot;
    } finally {
      this.txn = undefined;
    }
  }

  async rollback(): Promise<void> {
    if (this.txn) await this.discard([...this.earlyUploads]);
    this.txn = undefined;
  }

  stats(): VolumeStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.txn = undefined;
  }

  /**
   * Delete page objects no commit will ever name; a failure only leaves garbage for GC. Called only when that is certain (a rollback, a commit another writer
   * won, a page superseded within its transaction), never after a commit whose outcome is
   * unknown — its pages may be live.
   */
  private async discard(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.store.deleteMany(keys).catch(() => undefined);
  }

  private async createCommitRecord(record: CommitRecord, ourPages: string[]): Promise<void> {
    const key = commitKey(this.prefix, record.seq);
    try {
      await this.store.put(key, encodeCommitRecord(record), { ifNoneMatch: '*' });
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // A retry of our own create whose first attempt succeeded also lands here.
      const winner = await readCommit(this.store, this.prefix, record.seq);
      if (winner?.txid === record.txid) return;
      this.counters.conflicts += 1;
      await this.discard(ourPages);
      throw new ConflictError(
        `${this.describe()}: another writer made commit ${record.seq} first (transaction ${winner?.txid ?? '?'})`,
        { cause: error },
      );
    }
  }

  /** Every `checkpointInterval` commits, save the whole page map so opening stays cheap. */
  private async maybeCheckpoint(): Promise<void> {
    const s = this.snapshotState;
    if (s.seq - s.checkpointSeq < this.options.checkpointInterval) return;
    await this.store.put(checkpointKey(this.prefix, s.seq), encodeCheckpoint(s.seq, s.map));
    await this.store.put(latestCheckpointKey(this.prefix), encodeCheckpointHint(s.seq));
    this.snapshotState = { ...s, checkpointSeq: s.seq };
  }

  private async createMarker(): Promise<void> {
    const key = markerKey(this.prefix);
    const bytes = encodeMarker();
    try {
      await this.store.put(key, bytes, { ifNoneMatch: '*' });
      this.marker = bytes;
    } catch (error) {
      // Another writer created the database at the same moment: the commit race decides.
      if (!(error instanceof PreconditionFailedError)) throw error;
      const existing = (await this.store.get(key)).body;
      decodeMarker(key, existing);
      this.marker = existing;
    }
  }

  /**
   * Refuse to write through a store that ignores conditional writes. An existing database
   * costs one request: re-creating the marker with its own bytes must be refused (and if it
   * is not, nothing changed). A new one runs the store's full probe on a scratch key.
   */
  private async ensureSafeStore(): Promise<void> {
    if (this.options.singleWriter || verifiedStores.has(this.store)) return;
    const safe = this.marker
      ? await this.refusesOverwrite(markerKey(this.prefix), this.marker)
      : (await this.store.probeConditionalWrites(databasePrefix(this.prefix))).ifNoneMatch;
    if (!safe) {
      throw new UnsafeStoreError(
        `${this.store.location} ignores conditional writes (If-None-Match: *), so concurrent ` +
          `writers could overwrite each other's commits; open with singleWriter: true only if ` +
          `this process is the only writer of "${this.prefix}"`,
      );
    }
    verifiedStores.add(this.store);
  }

  private async refusesOverwrite(key: string, bytes: Uint8Array): Promise<boolean> {
    try {
      await this.store.put(key, bytes, { ifNoneMatch: '*' });
      return false;
    } catch (error) {
      if (error instanceof PreconditionFailedError) return true;
      throw error;
    }
  }

  private async uploadEarly(pages: Array<[number, Uint8Array]>): Promise<Array<[number, number]>> {
    const txn = this.txnOrThrow();
    // Pages under a prefix without a marker would make the prefix look like foreign data.
    if (!this.marker) await this.createMarker();
    return Promise.all(
      pages.map(async ([pageNo, page]): Promise<[number, number]> => {
        const crc = checksum(page);
        const key = pageKey(this.prefix, txn.txid, pageNo, crc);
        await this.store.put(key, page);
        this.earlyUploads.add(key);
        this.counters.pagesUploadedEarly += 1;
        return [pageNo, crc];
      }),
    );
  }

  /** Bytes of a snapshot, fetched page by page (in parallel), zeros for unwritten pages. */
  private async readSnapshot(
    snapshot: Snapshot,
    offset: number,
    length: number,
  ): Promise<Uint8Array> {
    const map = snapshot.map;
    const size = map.pageCount * map.pageSize;
    const end = Math.min(offset + length, size);
    if (end <= offset) return new Uint8Array(0);
    const P = map.pageSize;
    const first = Math.floor(offset / P) + 1;
    const last = Math.ceil(end / P);
    if (first === last) {
      const page = await this.snapshotPage(snapshot, first);
      const start = offset - (first - 1) * P;
      return page.subarray(start, start + (end - offset));
    }
    const out = new Uint8Array(end - offset);
    await Promise.all(
      Array.from({ length: last - first + 1 }, async (_, i) => {
        const pageNo = first + i;
        const pageStart = (pageNo - 1) * P;
        const from = Math.max(offset, pageStart);
        const to = Math.min(end, pageStart + P);
        const page = await this.snapshotPage(snapshot, pageNo);
        out.set(page.subarray(from - pageStart, to - pageStart), from - offset);
      }),
    );
    return out;
  }

  private async snapshotPage(snapshot: Snapshot, pageNo: number): Promise<Uint8Array> {
    const entry = snapshot.map.get(pageNo);
    for (const next of this.readAhead.next(pageNo, snapshot.map.pageCount))
      this.prefetch(snapshot, next);
    if (!entry) return new Uint8Array(snapshot.map.pageSize);
    return this.readPage(
      pageKey(this.prefix, entry.txid, pageNo, entry.crc),
      entry.crc,
      snapshot.map.pageSize,
    );
  }

  /** One page object, from the cache or one GET, checked against its checksum. */
  private async readPage(key: string, crc: number, pageSize?: number): Promise<Uint8Array> {
    const { page, hit } = await this.cache.getOrLoad(this.cacheKey(key), async () => {
      let body: Uint8Array;
      try {
        body = (await this.store.get(key)).body;
      } catch (error) {
        if (error instanceof NotFoundError) {
          throw new CorruptError(key, `page object missing from ${this.store.location}`, {
            cause: error,
          });
        }
        throw error;
      }
      if (checksum(body) !== crc || (pageSize !== undefined && body.byteLength !== pageSize)) {
        throw new CorruptError(key, `page fails its checksum (${body.byteLength} bytes)`);
      }
      return body;
    });
    if (hit) this.counters.cacheHits += 1;
    else this.counters.cacheMisses += 1;
    return page;
  }

  private prefetch(snapshot: Snapshot, pageNo: number): void {
    const entry = snapshot.map.get(pageNo);
    if (!entry) return;
    const key = pageKey(this.prefix, entry.txid, pageNo, entry.crc);
    if (this.cache.has(this.cacheKey(key))) return;
    this.counters.pagesPrefetched += 1;
    // A failed prefetch is not an error: the real read fetches the page again and reports.
    this.readPage(key, entry.crc, snapshot.map.pageSize).catch(() => undefined);
  }

  private async prefetchAll(): Promise<void> {
    const snapshot = this.snapshotState;
    await Promise.all(
      [...snapshot.map.entries()].map(([pageNo, entry]) => {
        this.counters.pagesPrefetched += 1;
        return this.readPage(
          pageKey(this.prefix, entry.txid, pageNo, entry.crc),
          entry.crc,
          snapshot.map.pageSize,
        );
      }),
    );
  }

  private cacheKey(key: string): string {
    return `${this.store.location}\n${key}`;
  }

  private txnOrThrow(): Transaction {
    if (!this.txn)
      throw new InvalidArgumentError(`${this.describe()}: no write transaction is open`);
    return this.txn;
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError(this.describe());
  }

  private describe(): string {
    return `database "${this.prefix}" in ${this.store.location}`;
  }
}

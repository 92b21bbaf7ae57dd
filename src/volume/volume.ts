import { randomHex } from '../clock.js';
import { ClosedError, InvalidArgumentError, ReadOnlyError } from '../errors.js';
import {
  checkSizeAgainstHeader,
  HEADER_BYTES,
  headerDatabaseSize,
  headerPageSize,
  normalizePrefix,
  pageKey,
} from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import { BackgroundWork } from './background-work.js';
import { catchUp, loadCommit, loadHead, NEWS_PROBE, type Snapshot } from './commit-log.js';
import { CommitProtocol } from './commit-protocol.js';
import { EarlyUploads } from './early-uploads.js';
import { collectGarbage, type GcOptions, type GcReport, type TxidMemo } from './gc.js';
import { HeadTrust } from './head-trust.js';
import { commitNumberAt } from './history.js';
import { sharedPageCache, type PageCache } from './page-cache.js';
import { PageReader } from './page-reader.js';
import type { PinnedPages } from './pinned-pages.js';
import { hasRetentionRule } from './retention.js';
import { volumeSettings, type VolumeSettings } from './settings.js';
import { Transaction } from './transaction.js';
import {
  emptyVolumeStats,
  type CommitInfo,
  type VolumeOptions,
  type VolumeStats,
} from './types.js';

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
  /** The head was probed moments ago (at open); the next read transaction need not probe. */
  private headFresh = true;
  private txn: Transaction | undefined;
  private closed = false;
  private readonly headTrust: HeadTrust;
  private readonly background: BackgroundWork;
  /** Transaction ids of retained commits, so that each GC reads only the new records. */
  private readonly gcMemo: TxidMemo = new Map();
  private readonly pages: PageReader;
  private readonly protocol: CommitProtocol;
  private readonly earlyUploads: EarlyUploads;
  private readonly counters: VolumeStats = emptyVolumeStats();

  private constructor(
    readonly store: ObjectStore,
    readonly prefix: string,
    private readonly options: VolumeSettings,
    cache: PageCache,
    head: { marker: Uint8Array | undefined; snapshot: Snapshot },
    openedAt: number,
  ) {
    this.headTrust = new HeadTrust(openedAt);
    this.background = new BackgroundWork(store, this.counters, options.onBackgroundError);
    this.snapshotState = head.snapshot;
    this.pages = new PageReader(
      store,
      prefix,
      cache,
      options.readAheadMax,
      this.counters,
      this.headTrust,
      this.describe(),
    );
    this.protocol = new CommitProtocol(
      store,
      prefix,
      options,
      head.marker,
      this.headTrust,
      this.counters,
      this.background,
      this.describe(),
    );
    this.earlyUploads = new EarlyUploads(store, prefix, this.counters, this.protocol);
  }

  /** Open the database at `prefix`: a constant number of requests, whatever its size. */
  static async open(
    store: ObjectStore,
    prefix: string,
    options: VolumeOptions = {},
  ): Promise<Volume> {
    const normalized = normalizePrefix(prefix);
    const settings = volumeSettings(options);
    const openedAt = settings.clock.monotonic();
    if (options.at !== undefined) {
      settings.at = await commitNumberAt(store, normalized, options.at);
    }
    const head =
      settings.at === undefined
        ? await loadHead(store, normalized, settings.checkpointInterval)
        : { marker: undefined, snapshot: await loadCommit(store, normalized, settings.at) };
    const volume = new Volume(
      store,
      normalized,
      settings,
      options.cache ?? sharedPageCache(),
      head,
      openedAt,
    );
    if (settings.prefetch) await volume.pages.prefetchAll(volume.snapshotState);
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
    this.pages.endRead();
  }

  /** Move the snapshot to the newest commit. Returns whether it moved. */
  async refresh(): Promise<boolean> {
    this.checkOpen();
    if (this.txn) throw new InvalidArgumentError('cannot refresh inside a write transaction');
    const before = this.snapshotState.seq;
    if (!this.protocol.marker) {
      // Emptiness was checked at open; a creator writes the marker before anything else.
      const head = await loadHead(this.store, this.prefix, this.options.checkpointInterval, false);
      this.protocol.marker = head.marker;
      this.snapshotState = head.snapshot;
    } else {
      const started = this.options.clock.monotonic();
      this.snapshotState = await catchUp(
        this.store,
        this.prefix,
        this.snapshotState,
        this.options.checkpointInterval,
        NEWS_PROBE,
        !this.headTrust.trusted(started),
      );
      this.headTrust.confirm(started);
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
    await this.protocol.beginWrite(this.snapshotState);
    const map = this.snapshotState.map;
    const base = this.snapshotState;
    this.earlyUploads.clear();
    this.txn = new Transaction(
      randomHex(this.options.random, 8),
      map.pageSize,
      map.pageCount * map.pageSize,
      {
        readBase: (offset, length) => this.pages.read(base, offset, length),
        readUploaded: (pageNo, crc) =>
          this.pages.uploadedPage(
            pageKey(this.prefix, this.txnOrThrow().txid, pageNo, crc),
            crc,
            () => (this.txn ? this.snapshotState.seq + 1 : undefined),
          ),
        uploadEarly: (pages, uploaded) =>
          this.earlyUploads.upload(this.txnOrThrow().txid, pages, uploaded),
      },
      this.options.writeBufferBytes,
    );
  }

  /**
   * The pages of the pinned commit (not as the write transaction changed them), for a rollback
   * journal (see SnapshotJournal). The same object while the same commit stays pinned.
   */
  pinnedPages(): PinnedPages {
    return this.pages.pinnedPages(this.snapshotState);
  }

  /**
   * `CorruptError` naming the commit record when the pinned commit's size disagrees with the
   * size SQLite wrote into its page 1 (a forged page count within SQLite's limit). One GET of
   * page 1 unless cached; a commit whose page 1 holds no valid size proves nothing.
   */
  async checkSize(): Promise<void> {
    this.checkOpen();
    const snapshot = this.snapshotState;
    const { seq, map } = snapshot;
    if (seq === 0 || map.pageCount === 0) return;
    const page1 = await this.pages.read(snapshot, 0, HEADER_BYTES);
    checkSizeAgainstHeader(this.prefix, seq, map.pageCount * map.pageSize, page1);
  }

  /**
   * Bytes of the file at `offset` (fewer at its end). A read within one page in a write
   * transaction is a view of the changed page, whose memory is reused: the caller must not
   * change it, and must copy what it keeps before the transaction's next change.
   */
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.checkOpen();
    if (this.txn) return this.txn.read(offset, length);
    return this.pages.read(this.snapshotState, offset, length);
  }

  /** Write `data` at `offset` in the open write transaction (copied: the caller may reuse it). */
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
      const committed = await this.protocol.commit(
        this.snapshotState,
        txn.txid,
        content,
        (committed) => this.earlyUploads.keys(txn.txid, committed),
      );
      for (const [pageNo, page, crc] of content.toUpload) {
        this.pages.remember(pageKey(this.prefix, txn.txid, pageNo, crc), page);
      }
      this.snapshotState = committed;
      this.counters.commits += 1;
      this.snapshotState = await this.protocol.checkpoint(this.snapshotState);
      this.background.collectGarbageAfter(this.snapshotState.seq, this.options.gcEvery, () =>
        this.gc(),
      );
      return this.snapshot;
    } finally {
      this.txn = undefined;
    }
  }

  /**
   * Commit the write transaction as a SQLite database file, cut to the page size and size its
   * database header gives (when the header's page count is valid, as it always is after a
   * commit by a current SQLite). SQLite trims a file that shrank (VACUUM, auto-vacuum) only
   * after its commit point, too late for the commit, and a VACUUM to a new page size writes
   * the new layout in chunks of the old size. Returns the file size committed.
   */
  async commitSqliteDatabase(): Promise<number> {
    const header = await this.read(0, HEADER_BYTES);
    const pageSize = headerPageSize(header);
    const databaseSize = headerDatabaseSize(header);
    if (pageSize !== undefined && databaseSize !== undefined) {
      await this.setPageSize(pageSize);
      if (databaseSize < this.size) await this.truncate(databaseSize);
    }
    const size = this.size;
    await this.commit();
    return size;
  }

  async rollback(): Promise<void> {
    if (this.txn) await this.background.discard(this.earlyUploads.keys(this.txn.txid));
    this.txn = undefined;
  }

  stats(): VolumeStats {
    return { ...this.counters };
  }

  /**
   * Collect garbage under this database's prefix (see {@link collectGarbage}), keeping what
   * `options` asks for, or else what the volume was opened with (`retention`).
   */
  async gc(options: GcOptions = {}): Promise<GcReport> {
    this.checkOpen();
    if (this.options.readOnly && !options.dryRun) {
      throw new ReadOnlyError(`${this.describe()} is open read-only: it cannot collect garbage`);
    }
    const defaults = this.options.retention ?? {};
    const rules = hasRetentionRule(options) ? options : defaults;
    return collectGarbage(
      this.store,
      this.prefix,
      {
        checkpointInterval: this.options.checkpointInterval,
        ...options,
        keepLast: rules.keepLast,
        keepFor: rules.keepFor,
        grace: options.grace ?? defaults.grace,
        clock: options.clock ?? this.options.clock,
        random: options.random ?? this.options.random,
      },
      this.gcMemo,
    );
  }

  async close(): Promise<void> {
    this.txn = undefined;
    await this.background.idle();
    this.closed = true;
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

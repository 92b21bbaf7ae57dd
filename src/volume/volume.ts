import { randomHex } from '../clock.js';
import {
  ClosedError,
  ConflictError,
  InvalidArgumentError,
  PreconditionFailedError,
  ReadOnlyError,
  UnknownOutcomeError,
  UnsafeStoreError,
} from '../errors.js';
import {
  checkpointKey,
  checksum,
  commitKey,
  encodeCheckpoint,
  encodeCheckpointHint,
  encodeMarker,
  latestCheckpointKey,
  databasePrefix,
  decodeMarker,
  markerKey,
  normalizePrefix,
  pageKey,
  type CommitRecord,
} from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import {
  applyCommit,
  catchUp,
  collectedPast,
  gap,
  loadCommit,
  loadHead,
  readCheckpointHint,
  readCommit,
  type Snapshot,
} from './commit-log.js';
import { createWithKnownOutcome, RESOLVE_ROUNDS } from './commit-outcome.js';
import { collectGarbage, type GcOptions, type GcReport, type TxidMemo } from './gc.js';
import { HeadTrust } from './head-trust.js';
import { commitNumberAt } from './history.js';
import { sharedPageCache, type PageCache } from './page-cache.js';
import { BackgroundWork } from './background-work.js';
import { PageReader, type PinnedPage } from './page-reader.js';
import { hasRetentionRule, MIN_RECORD_AGE_MS } from './retention.js';
import { Transaction } from './transaction.js';
import { volumeSettings, type VolumeSettings } from './settings.js';
import type { CommitInfo, VolumeOptions, VolumeStats } from './types.js';

/** Stores seen to refuse a create-only PUT of an existing key: checked once per store object. */
const verifiedStores = new WeakSet<ObjectStore>();

export type { PinnedPage } from './page-reader.js';

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
  /**
   * Pages the open transaction uploaded early (garbage unless its commit names them), as page
   * number and CRC pairs: their keys are made when needed, as a key string each would cost
   * about a hundred bytes per page for the whole of a large transaction.
   */
  private earlyUploads: number[] = [];
  private closed = false;
  private readonly headTrust: HeadTrust;
  private readonly background: BackgroundWork;
  /** Transaction ids of retained commits, so that each GC reads only the new records. */
  private readonly gcMemo: TxidMemo = new Map();
  private readonly pages: PageReader;
  /** The transaction began before the database existed, and another writer created it. */
  private headUnchecked = false;
  /** Checkpoints are not tried again before this commit (set when one failed). */
  private checkpointRetryAt = 0;
  private readonly counters: VolumeStats = {
    cacheHits: 0,
    cacheMisses: 0,
    pagesPrefetched: 0,
    commits: 0,
    conflicts: 0,
    pagesUploadedEarly: 0,
    backgroundErrors: 0,
  };

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
    this.marker = head.marker;
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
    if (!this.marker) {
      // Emptiness was checked at open; a creator writes the marker before anything else.
      const head = await loadHead(this.store, this.prefix, this.options.checkpointInterval, false);
      this.marker = head.marker;
      this.snapshotState = head.snapshot;
    } else {
      const started = this.options.clock.monotonic();
      this.snapshotState = await catchUp(
        this.store,
        this.prefix,
        this.snapshotState,
        this.options.checkpointInterval,
        1,
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
    await this.ensureSafeStore();
    this.headUnchecked = false;
    if (this.marker) await this.checkStillHead();
    const map = this.snapshotState.map;
    const base = this.snapshotState;
    this.earlyUploads = [];
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
        uploadEarly: (pages) => this.uploadEarly(pages),
      },
      this.options.writeBufferBytes,
    );
  }

  /**
   * Page `pageNo` as the pinned commit holds it (not as the write transaction changed it), when
   * it has that page at `pageSize` bytes: its CRC-32 and a reader of its bytes that stays valid
   * after the transaction ends (page objects are immutable). For a rollback journal, whose
   * records are exactly such pages (see SnapshotJournal).
   */
  pinnedPage(pageNo: number, pageSize: number): PinnedPage | undefined {
    return this.pages.pinnedPage(this.snapshotState, pageNo, pageSize);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.checkOpen();
    if (this.txn) return this.txn.read(offset, length);
    return this.pages.read(this.snapshotState, offset, length);
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
        time: this.options.clock.now(),
        pageSize: content.pageSize,
        pageCount: content.pageCount,
        checkpoint: base.checkpointSeq,
        pages: content.pages,
      };
      const committedKeys = new Set(
        content.pages.map(([pageNo, crc]) => pageKey(this.prefix, txn.txid, pageNo, crc)),
      );
      const early = this.earlyUploadKeys(txn.txid);
      const ourPages = [...committedKeys, ...early];
      if (this.headUnchecked) {
        this.headUnchecked = false;
        await this.checkStillHead().catch(async (error: unknown) => {
          await this.background.discard(ourPages);
          throw error;
        });
      }
      const creating = this.options.clock.monotonic();
      await this.createCommitRecord(record, ourPages);
      // A long transaction, or a snapshot not seen to be the head lately: the number may have
      // been taken and collected meanwhile (see HeadTrust).
      if (this.headTrust.trusted(this.options.clock.monotonic())) this.headTrust.confirm(creating);
      else await this.checkNumberWasFree(record, creating, ourPages);
      // Early uploads of pages rewritten later in the transaction are garbage already.
      await this.background.discard(early.filter((key) => !committedKeys.has(key)));
      for (const [pageNo, page, crc] of content.toUpload) {
        this.pages.remember(pageKey(this.prefix, txn.txid, pageNo, crc), page);
      }
      this.snapshotState = applyCommit(base, record);
      this.counters.commits += 1;
      await this.maybeCheckpoint();
      this.background.collectGarbageAfter(this.snapshotState.seq, this.options.gcEvery, () =>
        this.gc(),
      );
      return this.snapshot;
    } finally {
      this.txn = undefined;
    }
  }

  async rollback(): Promise<void> {
    if (this.txn) await this.background.discard(this.earlyUploadKeys(this.txn.txid));
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

  /**
   * `ConflictError` unless the snapshot is still the head: one GET of the next commit record
   * (plus the one after it and the hint, in parallel, when the snapshot is no longer trusted).
   */
  private async checkStillHead(): Promise<void> {
    const started = this.options.clock.monotonic();
    const next = this.snapshotState.seq + 1;
    const verify = !this.headTrust.trusted(started);
    const [record, past, hint] = await Promise.all([
      readCommit(this.store, this.prefix, next),
      // Never create a record while later ones exist (a gap): checked with the hint, whenever
      // the snapshot is not trusted, in the same round trip.
      verify ? readCommit(this.store, this.prefix, next + 1) : undefined,
      verify ? readCheckpointHint(this.store, this.prefix) : 0,
    ]);
    if (record || hint >= next) throw this.headMoved(next);
    // The GETs ran in parallel: a record past a miss is a gap only if the miss persists.
    if (past) {
      if (await readCommit(this.store, this.prefix, next)) throw this.headMoved(next);
      throw gap(this.store, this.prefix, next);
    }
    this.headTrust.confirm(started);
  }

  /**
   * Whether GC has collected past commit `seq`, just created by transaction `txid`: read a few
   * times, since the commit is made and only this read decides whether it counts. When no
   * read succeeds, the outcome is unknown.
   */
  private async collectedOrUnknown({ seq, txid }: Pick<CommitRecord, 'seq' | 'txid'>) {
    let failure: unknown;
    for (let round = 0; round <= RESOLVE_ROUNDS; round++) {
      try {
        return await collectedPast(this.store, this.prefix, seq);
      } catch (error) {
        failure = error;
      }
    }
    throw new UnknownOutcomeError(
      commitKey(this.prefix, seq),
      seq,
      txid,
      `${this.describe()}: commit ${seq} (transaction ${txid}) was created, but whether its ` +
        `number had been used and collected before could not be read; reopen the database and ` +
        `look for its transaction id`,
      { cause: failure },
    );
  }

  /** The conflict of a snapshot whose next commit, `next`, another writer has made. */
  private headMoved(next: number): ConflictError {
    this.counters.conflicts += 1;
    return new ConflictError(
      `${this.describe()}: commit ${next} was made by another writer after this snapshot`,
    );
  }

  /**
   * Commit `seq` was just created by transaction `txid` (the create started at `creating`) on a snapshot that was not
   * trusted any more. A create-only PUT also succeeds on a key that garbage collection deleted,
   * so make sure the number was free: GC raises `oldest-retained` past every record before
   * deleting it, so `oldest-retained` past `seq` means that `seq` had been used and collected.
   * Then this record lies in collected territory, where no reader looks (they start at the
   * hint, which GC moves past it too): it is never acknowledged, `ConflictError`, and the
   * transaction re-runs on the real head. GC never collects a record younger than
   * {@link MIN_RECORD_AGE_MS}, so only while that much time has not passed since the create can
   * the floor be blamed on an older record; later, the outcome is unknown. One GET.
   */
  private async checkNumberWasFree(
    { seq, txid }: CommitRecord,
    creating: number,
    ourPages: string[],
  ): Promise<void> {
    const started = this.options.clock.monotonic();
    if (await this.collectedOrUnknown({ seq, txid })) {
      this.headTrust.distrust();
      if (this.options.clock.monotonic() - creating >= MIN_RECORD_AGE_MS / 2) {
        throw new UnknownOutcomeError(
          commitKey(this.prefix, seq),
          seq,
          txid,
          `${this.describe()}: garbage collection has passed commit ${seq} while its creation ` +
            `was being checked, so whether this transaction's record is part of the history ` +
            `cannot be told; reopen the database and look for its transaction id`,
        );
      }
      this.counters.conflicts += 1;
      await this.background.discard(ourPages);
      throw new ConflictError(
        `${this.describe()}: commit ${seq} had already been made, and removed by garbage ` +
          `collection, before this transaction's record for it was created; that record is ` +
          `not part of the history`,
      );
    }
    this.headTrust.confirm(started);
  }

  /** Create the next commit record: returns when it is ours, throws `ConflictError` when not. */
  private async createCommitRecord(record: CommitRecord, ourPages: string[]): Promise<void> {
    const outcome = await createWithKnownOutcome(this.store, this.prefix, record);
    if (outcome.won) return;
    this.counters.conflicts += 1;
    await this.background.discard(ourPages);
    throw new ConflictError(
      `${this.describe()}: another writer made commit ${record.seq} first (transaction ${outcome.winner ?? '?'})`,
      { cause: outcome.cause },
    );
  }

  /**
   * Every `checkpointInterval` commits, save the whole page map so opening stays cheap. Best
   * effort: a failure is reported as a background error and tried again `checkpointInterval`
   * commits later (not at every commit: a store that fails them would make every commit pay).
   */
  private async maybeCheckpoint(): Promise<void> {
    const s = this.snapshotState;
    const interval = this.options.checkpointInterval;
    if (s.seq - s.checkpointSeq < interval || s.seq < this.checkpointRetryAt) return;
    try {
      await this.store.put(checkpointKey(this.prefix, s.seq), encodeCheckpoint(s.seq, s.map));
      // Commits name the checkpoint from now on, so openers find it even if the hint fails.
      this.snapshotState = { ...this.snapshotState, checkpointSeq: s.seq };
      await this.store.put(latestCheckpointKey(this.prefix), encodeCheckpointHint(s.seq));
    } catch (error) {
      this.checkpointRetryAt = s.seq + interval;
      this.background.failed(error);
    }
  }

  private async createMarker(): Promise<void> {
    const key = markerKey(this.prefix);
    const bytes = encodeMarker();
    try {
      await this.store.put(key, bytes, { ifNoneMatch: '*' });
      this.marker = bytes;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      const existing = (await this.store.get(key)).body;
      decodeMarker(key, existing);
      this.marker = existing;
      // Another writer created the database since this transaction began: without a marker
      // there was nothing to check then, so the commit checks the head first.
      this.headUnchecked = true;
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

  /** Keys of the pages uploaded early, each once (a page uploaded twice unchanged has one). */
  private earlyUploadKeys(txid: string): string[] {
    const keys = new Set<string>();
    for (let i = 0; i < this.earlyUploads.length; i += 2) {
      keys.add(pageKey(this.prefix, txid, this.earlyUploads[i]!, this.earlyUploads[i + 1]!));
    }
    return [...keys];
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
        this.earlyUploads.push(pageNo, crc);
        this.counters.pagesUploadedEarly += 1;
        return [pageNo, crc];
      }),
    );
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

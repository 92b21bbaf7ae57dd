import { randomHex, realClock, realRandom } from '../clock.js';
import {
  ClosedError,
  ConflictError,
  CorruptError,
  InvalidArgumentError,
  NotFoundError,
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
  pageKey,
  type CommitRecord,
  type PageMap,
} from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import {
  applyCommit,
  catchUp,
  collectedPast,
  expired,
  gap,
  loadCommit,
  loadHead,
  readCheckpointHint,
  readCommit,
  type Snapshot,
} from './commit-log.js';
import { createWithKnownOutcome, RESOLVE_ROUNDS } from './commit-outcome.js';
import { collectGarbage, type GcOptions, type GcReport, type TxidMemo } from './gc.js';
import { commitAtTime } from './history.js';
import { sharedPageCache, type PageCache } from './page-cache.js';
import { forEachInParallel } from './parallel.js';
import { PinnedPages } from './pinned-pages.js';
import { ReadAhead } from './read-ahead.js';
import { MIN_RECORD_AGE_MS, type RetentionOptions } from './retention.js';
import { Transaction } from './transaction.js';
import type { CommitInfo, VolumeOptions, VolumeStats } from './types.js';

const DEFAULT_WRITE_BUFFER = 64 * 1024 * 1024;
const DEFAULT_CHECKPOINT_INTERVAL = 32;
const DEFAULT_READ_AHEAD = 64;
/**
 * Page uploads of one transaction in flight at once: as many as S3Store's default concurrency,
 * and no more, so that a large transaction does not queue a request per page in memory.
 */
const UPLOAD_PARALLELISM = 64;
/**
 * How long a snapshot seen to be the head stays trusted. A record missing after a trusted
 * snapshot proves that it is still the head; after an older one it may instead have been
 * collected (GC keeps every commit stored within its grace period, far longer than this), so
 * the next probe also reads the checkpoint hint, which always lies past anything collected.
 */
const HEAD_TRUST_MS = 2000;

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
  /**
   * Pages the open transaction uploaded early (garbage unless its commit names them), as page
   * number and CRC pairs: their keys are made when needed, as a key string each would cost
   * about a hundred bytes per page for the whole of a large transaction.
   */
  private earlyUploads: number[] = [];
  /** What {@link pinnedPages} last answered, and for which page map. */
  private pinned: { map: PageMap; pages: PinnedPages } | undefined;
  private closed = false;
  /** When (clock.monotonic(), at the request's start) the snapshot was last seen to be the head. */
  private confirmedAt: number;
  /** A page of the snapshot was found collected: the next probe must check the hint. */
  private snapshotCollected = false;
  /** The automatic garbage collection running in the background, if any. */
  private autoGc: Promise<void> | undefined;
  /** Another automatic collection is due when the running one ends. */
  private autoGcAgain = false;
  /** Transaction ids of retained commits, so that each GC reads only the new records. */
  private readonly gcMemo: TxidMemo = new Map();
  private readonly cache: PageCache;
  private readonly readAhead: ReadAhead;
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
    private readonly options: Required<
      Omit<VolumeOptions, 'cache' | 'at' | 'retention' | 'onBackgroundError'>
    > & {
      at: number | undefined;
      retention: VolumeOptions['retention'];
      onBackgroundError: VolumeOptions['onBackgroundError'];
    },
    cache: PageCache,
    head: { marker: Uint8Array | undefined; snapshot: Snapshot },
    openedAt: number,
  ) {
    this.cache = cache;
    this.confirmedAt = openedAt;
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
      at: undefined as number | undefined,
      retention: options.retention,
      gcEvery: options.gcEvery ?? 0,
      onBackgroundError: options.onBackgroundError,
      clock: options.clock ?? realClock,
      random: options.random ?? realRandom,
    };
    if (!(settings.checkpointInterval >= 1)) {
      throw new InvalidArgumentError(`checkpointInterval must be at least 1`);
    }
    if (!(Number.isSafeInteger(settings.gcEvery) && settings.gcEvery >= 0)) {
      throw new InvalidArgumentError(`gcEvery must be a whole number ≥ 0, not ${options.gcEvery}`);
    }
    const openedAt = settings.clock.monotonic();
    if (options.at !== undefined) {
      settings.at = await commitNumber(store, normalized, options.at);
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
      const started = this.options.clock.monotonic();
      this.snapshotState = await catchUp(
        this.store,
        this.prefix,
        this.snapshotState,
        this.options.checkpointInterval,
        1,
        !this.trusted(started),
      );
      this.confirm(started);
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
        readBase: (offset, length) => this.readSnapshot(base, offset, length),
        readUploaded: (pageNo, crc) =>
          this.readPage(pageKey(this.prefix, this.txnOrThrow().txid, pageNo, crc), crc),
        uploadEarly: (pages, uploaded) => this.uploadEarly(pages, uploaded),
      },
      this.options.writeBufferBytes,
    );
  }

  /**
   * The pages of the pinned commit (not as the write transaction changed them), for a rollback
   * journal (see SnapshotJournal). The same object while the same commit stays pinned.
   */
  pinnedPages(): PinnedPages {
    const snapshot = this.snapshotState;
    if (this.pinned?.map !== snapshot.map) {
      const { map, seq } = snapshot;
      const pages = new PinnedPages(map, (pageNo, entry) =>
        this.readPage(
          pageKey(this.prefix, entry.txid, pageNo, entry.crc),
          entry.crc,
          map.pageSize,
          seq,
        ),
      );
      this.pinned = { map, pages };
    }
    return this.pinned.pages;
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
      await forEachInParallel(content.toUpload, UPLOAD_PARALLELISM, async ([pageNo, page, crc]) => {
        await this.store.put(pageKey(this.prefix, txn.txid, pageNo, crc), page);
      });
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
      // Made only when needed (a lost race): a key string per page costs some 100 bytes.
      const ourPages = (): string[] => [
        ...new Set([
          ...content.pages.map(([pageNo, crc]) => pageKey(this.prefix, txn.txid, pageNo, crc)),
          ...this.earlyUploadKeys(txn.txid),
        ]),
      ];
      if (this.headUnchecked) {
        this.headUnchecked = false;
        await this.checkStillHead().catch(async (error: unknown) => {
          await this.discard(ourPages());
          throw error;
        });
      }
      const creating = this.options.clock.monotonic();
      await this.createCommitRecord(record, ourPages);
      // A long transaction, or a snapshot not seen to be the head lately: the number may have
      // been taken and collected meanwhile (see trusted()).
      if (this.trusted(this.options.clock.monotonic())) this.confirm(creating);
      else await this.checkNumberWasFree(record, creating, ourPages);
      // Early uploads of pages rewritten later in the transaction are garbage already.
      await this.discard(this.earlyUploadKeys(txn.txid, content.pages));
      for (const [pageNo, page, crc] of content.toUpload) {
        this.cache.set(this.cacheKey(pageKey(this.prefix, txn.txid, pageNo, crc)), page);
      }
      this.snapshotState = applyCommit(base, record);
      this.counters.commits += 1;
      await this.maybeCheckpoint();
      this.maybeCollectGarbage();
      return this.snapshot;
    } finally {
      this.txn = undefined;
    }
  }

  async rollback(): Promise<void> {
    if (this.txn) await this.discard(this.earlyUploadKeys(this.txn.txid));
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
    const rules = hasRule(options) ? options : defaults;
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
    await this.autoGc;
    this.closed = true;
  }

  /** Whether the snapshot, last seen to be the head at `confirmedAt`, is still trusted at `now`. */
  private trusted(now: number): boolean {
    return !this.snapshotCollected && now - this.confirmedAt <= HEAD_TRUST_MS;
  }

  private confirm(at: number): void {
    this.confirmedAt = at;
    this.snapshotCollected = false;
  }

  /**
   * `ConflictError` unless the snapshot is still the head: one GET of the next commit record
   * (plus the one after it and the hint, in parallel, when the snapshot is no longer trusted).
   */
  private async checkStillHead(): Promise<void> {
    const started = this.options.clock.monotonic();
    const next = this.snapshotState.seq + 1;
    const verify = !this.trusted(started);
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
    this.confirm(started);
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
    ourPages: () => string[],
  ): Promise<void> {
    const started = this.options.clock.monotonic();
    if (await this.collectedOrUnknown({ seq, txid })) {
      this.snapshotCollected = true;
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
      await this.discard(ourPages());
      throw new ConflictError(
        `${this.describe()}: commit ${seq} had already been made, and removed by garbage ` +
          `collection, before this transaction's record for it was created; that record is ` +
          `not part of the history`,
      );
    }
    this.confirm(started);
  }

  /**
   * After every `gcEvery`-th commit, collect garbage in the background: one run at a time, and
   * one more after it when another was due meanwhile.
   */
  private maybeCollectGarbage(): void {
    const every = this.options.gcEvery;
    if (every === 0 || this.snapshotState.seq % every !== 0) return;
    if (this.autoGc) {
      this.autoGcAgain = true;
      return;
    }
    this.autoGc = (async () => {
      do {
        this.autoGcAgain = false;
        // Best effort: a failed run leaves garbage for the next one, never damage.
        await this.gc().catch((error: unknown) => this.backgroundFailure(error));
      } while (this.autoGcAgain);
      this.autoGc = undefined;
    })();
  }

  /**
   * Delete page objects no commit will ever name; a failure only leaves garbage for GC. Called
   * only when that is certain (a rollback, a commit another writer won, a page superseded
   * within its transaction), never after a commit whose outcome is unknown — its pages may be
   * live.
   */
  private async discard(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.store.deleteMany(keys).catch((error: unknown) => this.backgroundFailure(error));
  }

  /**
   * Work after a commit point (checkpoint, hint, clean-up, automatic GC) failed. The commit
   * stands, so the failure is not the transaction's: it is counted in {@link stats} and handed
   * to `onBackgroundError`.
   */
  private backgroundFailure(error: unknown): void {
    this.counters.backgroundErrors += 1;
    const failure = error instanceof Error ? error : new Error(String(error));
    this.counters.lastBackgroundError = failure.message;
    try {
      this.options.onBackgroundError?.(failure);
    } catch {
      // The application's handler failing must not fail the commit either.
    }
  }

  /** Create the next commit record: returns when it is ours, throws `ConflictError` when not. */
  private async createCommitRecord(record: CommitRecord, ourPages: () => string[]): Promise<void> {
    const outcome = await createWithKnownOutcome(this.store, this.prefix, record);
    if (outcome.won) return;
    this.counters.conflicts += 1;
    await this.discard(ourPages());
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
      this.backgroundFailure(error);
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

  /**
   * Keys of the pages uploaded early, each once (a page uploaded twice unchanged has one);
   * given the pages a commit names (sorted by page number), only those it does not name.
   */
  private earlyUploadKeys(txid: string, committed: Array<[number, number]> = []): string[] {
    const keys = new Set<string>();
    for (let i = 0; i < this.earlyUploads.length; i += 2) {
      const pageNo = this.earlyUploads[i]!;
      const crc = this.earlyUploads[i + 1]!;
      if (committedCrc(committed, pageNo) !== crc)
        keys.add(pageKey(this.prefix, txid, pageNo, crc));
    }
    return [...keys];
  }

  private async uploadEarly(
    pages: Iterable<[number, Uint8Array]>,
    uploaded: (pageNo: number, crc: number) => void,
  ): Promise<void> {
    const txn = this.txnOrThrow();
    // Pages under a prefix without a marker would make the prefix look like foreign data.
    if (!this.marker) await this.createMarker();
    await forEachInParallel(pages, UPLOAD_PARALLELISM, async ([pageNo, page]) => {
      const crc = checksum(page);
      await this.store.put(pageKey(this.prefix, txn.txid, pageNo, crc), page);
      this.earlyUploads.push(pageNo, crc);
      this.counters.pagesUploadedEarly += 1;
      uploaded(pageNo, crc);
    });
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
      snapshot.seq,
    );
  }

  /**
   * One page object, from the cache or one GET, checked against its checksum. `snapshotSeq`:
   * the commit the page is read for (absent for a transaction's own uploads).
   */
  private async readPage(
    key: string,
    crc: number,
    pageSize?: number,
    snapshotSeq?: number,
  ): Promise<Uint8Array> {
    const { page, hit } = await this.cache.getOrLoad(this.cacheKey(key), async () => {
      let body: Uint8Array;
      try {
        body = (await this.store.get(key)).body;
      } catch (error) {
        if (error instanceof NotFoundError) throw await this.missingPage(key, snapshotSeq, error);
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

  /**
   * The error for a page object that is not there. GC deletes a commit's record before any page
   * only it needed: with the record gone too, the snapshot was collected; with it present, the
   * page is lost.
   */
  private async missingPage(
    key: string,
    snapshotSeq: number | undefined,
    cause: NotFoundError,
  ): Promise<Error> {
    if (snapshotSeq && !(await readCommit(this.store, this.prefix, snapshotSeq))) {
      this.snapshotCollected = true;
      return expired(this.store, this.prefix, snapshotSeq);
    }
    // One of the transaction's own uploads: GC took it, and fenced the transaction off first.
    const next = this.snapshotState.seq + 1;
    if (!snapshotSeq && this.txn && (await readCommit(this.store, this.prefix, next))) {
      this.counters.conflicts += 1;
      return new ConflictError(
        `${this.describe()}: commit ${next} was made after this transaction began, and garbage ` +
          `collection has removed the pages it uploaded early`,
        { cause },
      );
    }
    return new CorruptError(key, `page object missing from ${this.store.location}`, { cause });
  }

  private prefetch(snapshot: Snapshot, pageNo: number): void {
    const entry = snapshot.map.get(pageNo);
    if (!entry) return;
    const key = pageKey(this.prefix, entry.txid, pageNo, entry.crc);
    if (this.cache.has(this.cacheKey(key))) return;
    this.counters.pagesPrefetched += 1;
    // A failed prefetch is not an error: the real read fetches the page again and reports.
    this.readPage(key, entry.crc, snapshot.map.pageSize, snapshot.seq).catch(() => undefined);
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
          snapshot.seq,
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

/** Whether `options` names a retention rule of its own. */
function hasRule(options: RetentionOptions): boolean {
  return options.keepLast !== undefined || options.keepFor !== undefined;
}

/** The commit number `at` stands for: itself, or the newest commit made by that time. */
async function commitNumber(
  store: ObjectStore,
  prefix: string,
  at: number | Date,
): Promise<number> {
  if (at instanceof Date) {
    if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('at is an invalid Date');
    return commitAtTime(store, prefix, at.getTime());
  }
  if (!(Number.isSafeInteger(at) && at >= 0)) {
    throw new InvalidArgumentError(
      `at must be a commit number (a whole number ≥ 0) or a Date, not ${String(at)}`,
    );
  }
  return at;
}

/** The CRC that `pages` (sorted by page number) gives page `pageNo`, by binary search. */
function committedCrc(pages: Array<[number, number]>, pageNo: number): number | undefined {
  let low = 0;
  let high = pages.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (pages[middle]![0] < pageNo) low = middle + 1;
    else high = middle;
  }
  const found = pages[low];
  return found?.[0] === pageNo ? found[1] : undefined;
}

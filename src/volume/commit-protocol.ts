import type { Clock, Random } from '../clock.js';
import {
  ConflictError,
  PreconditionFailedError,
  UnknownOutcomeError,
  UnsafeStoreError,
} from '../errors.js';
import {
  checkpointKey,
  commitKey,
  databasePrefix,
  decodeMarker,
  encodeCheckpoint,
  encodeCheckpointHint,
  encodeMarker,
  latestCheckpointKey,
  markerKey,
  pageKey,
  type CommitRecord,
} from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import type { BackgroundWork } from './background-work.js';
import {
  applyCommit,
  collectedPast,
  gap,
  readCheckpointHint,
  readCommit,
  type Snapshot,
} from './commit-log.js';
import { createWithKnownOutcome, RESOLVE_ROUNDS } from './commit-outcome.js';
import type { HeadTrust } from './head-trust.js';
import { MIN_RECORD_AGE_MS } from './retention.js';
import type { CommitContent } from './transaction.js';
import { Turns } from './turn.js';
import type { VolumeStats } from './types.js';

/** Stores seen to refuse a create-only PUT of an existing key: checked once per store object. */
const verifiedStores = new WeakSet<ObjectStore>();

/** What the commit protocol takes from a volume's settings. */
export interface CommitProtocolSettings {
  checkpointInterval: number;
  singleWriter: boolean;
  clock: Clock;
  random: Random;
}

/**
 * How one volume's write transactions become commits (invariants in docs/DESIGN.md): the
 * database's marker, created by the first writer; the check that the store refuses
 * overwrites; the head checks before a transaction starts and before its record is created;
 * the one commit point, a create-only PUT of the next commit record whose outcome is always
 * found out (commit-outcome.ts); the check that the number was not collected meanwhile; and
 * the checkpoints that keep opening cheap.
 */
export class CommitProtocol {
  /** The transaction began before the database existed, and another writer created it. */
  private headUnchecked = false;
  /** Checkpoints are not tried again before this commit (set when one failed). */
  private checkpointRetryAt = 0;
  /** Fair progress among competing writers (see turn.ts). */
  private readonly turns: Turns;
  /** When (clock.monotonic()) the open write transaction began. */
  private writeStartedAt = 0;
  /** How long the last write transaction that reached its commit took, in ms. */
  private lastAttemptMs = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    private readonly settings: CommitProtocolSettings,
    /** The marker's bytes as stored; undefined while the database does not exist yet. */
    public marker: Uint8Array | undefined,
    private readonly headTrust: HeadTrust,
    /** The volume's counters: conflicts are counted here. */
    private readonly counters: VolumeStats,
    private readonly background: BackgroundWork,
    /** The database, for messages. */
    private readonly describe: string,
  ) {
    this.turns = new Turns(store, prefix, settings.clock, settings.random);
  }

  /**
   * Before a write transaction on `snapshot`: refuse an unsafe store, and fail at once with
   * `ConflictError` when another writer has already committed after `snapshot` (one GET), or
   * when `snapshot` is another writer's turn that has not ended (no request; the error says
   * how long to wait).
   */
  async beginWrite(snapshot: Snapshot): Promise<void> {
    const turnLeft = this.turns.holdLeft(snapshot);
    if (turnLeft > 0) {
      throw new ConflictError(
        `${this.describe}: commit ${snapshot.seq + 1} is another writer's turn for ` +
          `${Math.ceil(turnLeft)} ms more`,
        { retryAfterMs: turnLeft },
      );
    }
    await this.ensureSafeStore();
    this.writeStartedAt = this.settings.clock.monotonic();
    this.headUnchecked = false;
    if (this.marker) await this.checkStillHead(snapshot);
  }

  /** Create the database's marker unless it exists: before any page object is stored. */
  async ensureMarker(): Promise<void> {
    if (!this.marker) await this.createMarker();
  }

  /**
   * Commit transaction `txid` on `base`: upload the pages `content` has not uploaded yet, in
   * parallel, then create the next commit record with `If-None-Match: *` — the one commit
   * point. Another writer's record in that place means a lost race: `ConflictError`, nothing
   * visible, and the transaction's page objects (`content`'s and `earlyUploads`) deleted.
   * Returns the snapshot the commit made.
   */
  async commit(
    base: Snapshot,
    txid: string,
    content: CommitContent,
    earlyUploads: string[],
  ): Promise<Snapshot> {
    await this.ensureMarker();
    await Promise.all(
      content.toUpload.map(([pageNo, page, crc]) =>
        this.store.put(pageKey(this.prefix, txid, pageNo, crc), page),
      ),
    );
    const record: CommitRecord = {
      seq: base.seq + 1,
      txid,
      time: this.settings.clock.now(),
      pageSize: content.pageSize,
      pageCount: content.pageCount,
      checkpoint: base.checkpointSeq,
      pages: content.pages,
    };
    const committedKeys = new Set(
      content.pages.map(([pageNo, crc]) => pageKey(this.prefix, txid, pageNo, crc)),
    );
    const ourPages = [...committedKeys, ...earlyUploads];
    if (this.headUnchecked) {
      this.headUnchecked = false;
      await this.checkStillHead(base).catch(async (error: unknown) => {
        await this.background.discard(ourPages);
        throw error;
      });
    }
    const clock = this.settings.clock;
    const creating = clock.monotonic();
    await this.createCommitRecord(base, record, ourPages);
    this.turns.committed();
    // A long transaction, or a snapshot not seen to be the head lately: the number may have
    // been taken and collected meanwhile (see HeadTrust).
    if (this.headTrust.trusted(clock.monotonic())) this.headTrust.confirm(creating);
    else await this.checkNumberWasFree(record, creating, ourPages);
    // Early uploads of pages rewritten later in the transaction are garbage already.
    await this.background.discard(earlyUploads.filter((key) => !committedKeys.has(key)));
    return applyCommit(base, record);
  }

  /**
   * Every `checkpointInterval` commits, save the whole page map so opening stays cheap; returns
   * `snapshot`, naming the checkpoint once it is stored. Best effort: a failure is reported as
   * a background error and tried again `checkpointInterval` commits later (not at every
   * commit: a store that fails them would make every commit pay).
   */
  async checkpoint(snapshot: Snapshot): Promise<Snapshot> {
    const { seq } = snapshot;
    const interval = this.settings.checkpointInterval;
    if (seq - snapshot.checkpointSeq < interval || seq < this.checkpointRetryAt) return snapshot;
    let result = snapshot;
    try {
      await this.store.put(checkpointKey(this.prefix, seq), encodeCheckpoint(seq, snapshot.map));
      // Commits name the checkpoint from now on, so openers find it even if the hint fails.
      result = { ...snapshot, checkpointSeq: seq };
      await this.store.put(latestCheckpointKey(this.prefix), encodeCheckpointHint(seq));
    } catch (error) {
      this.checkpointRetryAt = seq + interval;
      this.background.failed(error);
    }
    return result;
  }

  /**
   * `ConflictError` unless the commit after `base` has not been made: one GET of its record
   * (plus the one after it and the hint, in parallel, when the snapshot is no longer trusted).
   */
  private async checkStillHead(base: Snapshot): Promise<void> {
    const next = base.seq + 1;
    const started = this.settings.clock.monotonic();
    const verify = !this.headTrust.trusted(started);
    const [record, past, hint] = await Promise.all([
      readCommit(this.store, this.prefix, next),
      // Never create a record while later ones exist (a gap): checked with the hint, whenever
      // the snapshot is not trusted, in the same round trip.
      verify ? readCommit(this.store, this.prefix, next + 1) : undefined,
      verify ? readCheckpointHint(this.store, this.prefix) : 0,
    ]);
    if (record) throw await this.lostTo(base, record);
    if (hint >= next) throw this.headMoved(next);
    // The GETs ran in parallel: a record past a miss is a gap only if the miss persists.
    if (past) {
      if (await readCommit(this.store, this.prefix, next)) throw this.headMoved(next);
      throw gap(this.store, this.prefix, next);
    }
    this.headTrust.confirm(started);
  }

  /**
   * This writer lost the race for the commit after `base` to `holder`: take a turn when it has
   * lost races in a row (see turn.ts). Returns how long to wait before re-running, when a turn
   * decides it.
   */
  private async takeTurn(
    base: Snapshot,
    holder: CommitRecord | undefined,
  ): Promise<number | undefined> {
    const retryAfterMs = await this.turns.afterLostRace(base, holder, this.lastAttemptMs);
    if (retryAfterMs === 0) this.counters.turns += 1;
    return retryAfterMs;
  }

  /** The conflict of a snapshot `base` whose next commit another writer made: `holder`. */
  private async lostTo(base: Snapshot, holder: CommitRecord): Promise<ConflictError> {
    const moved = this.headMoved(holder.seq);
    const retryAfterMs = await this.takeTurn(base, holder);
    return new ConflictError(moved.message, { retryAfterMs });
  }

  /** The conflict of a snapshot whose next commit, `next`, another writer has made. */
  private headMoved(next: number): ConflictError {
    this.counters.conflicts += 1;
    return new ConflictError(
      `${this.describe}: commit ${next} was made by another writer after this snapshot`,
    );
  }

  /**
   * Create the next commit record after `base`: returns when it is ours, throws
   * `ConflictError` when not.
   */
  private async createCommitRecord(
    base: Snapshot,
    record: CommitRecord,
    ourPages: string[],
  ): Promise<void> {
    const outcome = await createWithKnownOutcome(this.store, this.prefix, record);
    this.lastAttemptMs = this.settings.clock.monotonic() - this.writeStartedAt;
    if (outcome.won) return;
    this.counters.conflicts += 1;
    // Before the clean-up: a turn must be created before the winner's next commit.
    const retryAfterMs = await this.takeTurn(base, outcome.holder);
    await this.background.discard(ourPages);
    throw new ConflictError(
      `${this.describe}: another writer made commit ${record.seq} first (transaction ${outcome.holder?.txid ?? '?'})`,
      { cause: outcome.cause, retryAfterMs },
    );
  }

  /**
   * Commit `seq` was just created by transaction `txid` (the create started at `creating`) on
   * a snapshot that was not trusted any more. A create-only PUT also succeeds on a key that
   * garbage collection deleted, so make sure the number was free: GC raises `oldest-retained`
   * past every record before deleting it, so `oldest-retained` past `seq` means that `seq` had
   * been used and collected. Then this record lies in collected territory, where no reader
   * looks (they start at the hint, which GC moves past it too): it is never acknowledged,
   * `ConflictError`, and the transaction re-runs on the real head. GC never collects a record
   * younger than {@link MIN_RECORD_AGE_MS}, so only while that much time has not passed since
   * the create can the floor be blamed on an older record; later, the outcome is unknown.
   * One GET.
   */
  private async checkNumberWasFree(
    { seq, txid }: CommitRecord,
    creating: number,
    ourPages: string[],
  ): Promise<void> {
    const clock = this.settings.clock;
    const started = clock.monotonic();
    if (await this.collectedOrUnknown({ seq, txid })) {
      this.headTrust.distrust();
      if (clock.monotonic() - creating >= MIN_RECORD_AGE_MS / 2) {
        throw new UnknownOutcomeError(
          commitKey(this.prefix, seq),
          seq,
          txid,
          `${this.describe}: garbage collection has passed commit ${seq} while its creation ` +
            `was being checked, so whether this transaction's record is part of the history ` +
            `cannot be told; reopen the database and look for its transaction id`,
        );
      }
      this.counters.conflicts += 1;
      await this.background.discard(ourPages);
      throw new ConflictError(
        `${this.describe}: commit ${seq} had already been made, and removed by garbage ` +
          `collection, before this transaction's record for it was created; that record is ` +
          `not part of the history`,
      );
    }
    this.headTrust.confirm(started);
  }

  /**
   * Whether GC has collected past commit `seq`, just created by transaction `txid`: read a few
   * times, since the commit is made and only this read decides whether it counts. When no
   * read succeeds, the outcome is unknown.
   */
  private async collectedOrUnknown({
    seq,
    txid,
  }: Pick<CommitRecord, 'seq' | 'txid'>): Promise<boolean> {
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
      `${this.describe}: commit ${seq} (transaction ${txid}) was created, but whether its ` +
        `number had been used and collected before could not be read; reopen the database and ` +
        `look for its transaction id`,
      { cause: failure },
    );
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
    if (this.settings.singleWriter || verifiedStores.has(this.store)) return;
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
}

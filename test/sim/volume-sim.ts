import { ConflictError } from '../../src/errors.js';
import { commitKey, decodeOldestRetained, oldestRetainedKey } from '../../src/format/index.js';
import { readCheckpointHint } from '../../src/volume/commit-log.js';
import { PageCache, Volume } from '../../src/volume/index.js';
import type { VolumeOptions } from '../../src/volume/types.js';
import {
  describePage,
  expectedPage,
  Model,
  PAGE_SIZE,
  pageBytes,
  pageCount,
  type TxnModel,
} from './model.js';
import { SeededRandom } from './scheduler.js';
import type { FaultRates, SimStore } from './sim-store.js';
import { codeOf, describe, faultsFor, PREFIX, World, type RunReport } from './world.js';

/** Everything one seed decides about a simulation run. */
export interface SimConfig {
  seed: number;
  writers: number;
  readers: number;
  txnsPerWriter: number;
  /**
   * Writers race to create the database (else one fault-free commit creates it first, as
   * `init`, and the actors find it there).
   */
  concurrentCreate: boolean;
  /** Garbage collection between writes, or none. */
  gc: boolean;
  checkpointInterval: number;
  /** Small buffers make transactions upload pages before their commit. */
  writeBufferBytes: number;
  faults: FaultRates;
  requestTimeoutMs: number;
  maxAttempts: number;
  /** Highest page number written. */
  maxPages: number;
  /** Chance that a writer pauses inside a transaction, for up to `longPauseMs`. */
  longTxnChance: number;
  longPauseMs: number;
  /** Chance that an actor closes and reopens its volume between operations. */
  reopenChance: number;
  /**
   * An operator deletes one commit record between the newest checkpoint and the head, once:
   * from then on that gap must be reported (CORRUPT naming it), never silently rolled back.
   */
  vandal: boolean;
}

export interface SimResult extends RunReport {
  config: SimConfig;
  /** Commits acknowledged per writer: how fairly the writers progressed. */
  commitsPerWriter: number[];
}

const key = (seq: number) => commitKey(PREFIX, seq);

/** The configuration a seed stands for ("swarm testing": each seed picks its own mix). */
export function configFor(seed: number): SimConfig {
  const r = new SeededRandom(seed ^ 0x5eed);
  const faults = faultsFor(r);
  return {
    seed,
    concurrentCreate: r.chance(0.15),
    writers: r.int(1, 4),
    readers: r.int(0, 2),
    txnsPerWriter: r.int(3, 8),
    gc: r.chance(0.6),
    checkpointInterval: r.int(1, 5),
    writeBufferBytes: r.pick([PAGE_SIZE, 2 * PAGE_SIZE, 1 << 20]),
    faults,
    requestTimeoutMs: r.pick([500, 2000]),
    maxAttempts: r.int(2, 5),
    maxPages: r.int(2, 8),
    longTxnChance: r.pick([0, 0.1, 0.3]),
    longPauseMs: r.pick([1000, 3000, 10_000]),
    reopenChance: r.pick([0, 0.1, 0.3]),
    vandal: r.chance(0.1),
  };
}

/** Run one seed to the end (or to its first broken invariant). Deterministic. */
export async function runSeed(
  seed: number,
  config = configFor(seed),
  keepTrace = false,
): Promise<SimResult> {
  return new Simulation(config, keepTrace).run();
}

class Simulation {
  private readonly world: World;
  private readonly model: Model;
  private readonly commitsPerWriter: number[];
  /** Commits acknowledged since the last full check, to be read back after this step. */
  private pendingChecks: number[] = [];
  private seenDeletions = 0;

  constructor(
    private readonly config: SimConfig,
    keepTrace: boolean,
  ) {
    this.world = new World(config.seed, config.faults, config, keepTrace);
    this.model = new Model(this.world.bucket.creations);
    this.commitsPerWriter = Array.from({ length: config.writers }, () => 0);
  }

  async run(): Promise<SimResult> {
    const actors = this.world.cast(
      this.config,
      (i) => this.writer(i),
      (i) => this.reader(i),
    );
    if (this.config.vandal) actors.push(['vandal', () => this.vandal()]);
    if (!this.config.concurrentCreate) await this.world.drive(this.createDatabase());
    const report = await this.world.run(
      actors,
      () => this.afterStep(),
      () => this.finalCheck(),
    );
    return { ...report, config: this.config, commitsPerWriter: this.commitsPerWriter };
  }

  /** Commit `init` through a fault-free connection: the database the actors then share. */
  private async createDatabase(): Promise<void> {
    const volume = await Volume.open(this.world.bucket, PREFIX, this.volumeOptions());
    await volume.beginWrite();
    const txn = this.model.begin('init');
    for (let pageNo = 1; pageNo <= 2; pageNo++) {
      txn.pages.set(pageNo, 1);
      await volume.write((pageNo - 1) * PAGE_SIZE, pageBytes('init', pageNo, 1));
    }
    txn.seq = (await volume.commit()).seq;
    txn.status = 'committed';
    this.model.maxAcked = txn.seq;
    await volume.close();
  }

  private volumeOptions(extra: VolumeOptions = {}): VolumeOptions {
    return {
      cache: new PageCache(1 << 20),
      checkpointInterval: this.config.checkpointInterval,
      writeBufferBytes: this.config.writeBufferBytes,
      readAheadMax: 0,
      clock: this.world.scheduler,
      random: this.world.random,
      ...extra,
    };
  }

  /** Open a volume for an actor; undefined while the store is unavailable. */
  private async openVolume(store: SimStore, who: string): Promise<Volume | undefined> {
    const ackedBefore = this.model.maxAcked;
    const volume = await this.world.unlessUnavailable(`${who} opening`, () =>
      Volume.open(store, PREFIX, this.volumeOptions()),
    );
    if (volume) this.checkNotBehind(volume.snapshot.seq, ackedBefore, `${who} opened`);
    return volume;
  }

  /** Close the volume now and then, so that the next operation reopens it. */
  private async maybeReopen(volume: Volume | undefined): Promise<Volume | undefined> {
    if (!volume || !this.world.random.chance(this.config.reopenChance)) return volume;
    await volume.close();
    return undefined;
  }

  // --- actors -------------------------------------------------------------------------------

  private async writer(index: number): Promise<void> {
    const who = `w${index}`;
    const store = this.world.connection(who);
    let volume: Volume | undefined;
    for (let t = 0; t < this.config.txnsPerWriter && !this.world.failed; t++) {
      await this.world.pause(400);
      volume = await this.maybeReopen(volume);
      volume ??= await this.openVolume(store, who);
      if (!volume) continue;
      const ackedBefore = this.model.maxAcked;
      try {
        await volume.refresh();
        this.checkNotBehind(volume.snapshot.seq, ackedBefore, `${who} refreshed`);
        await volume.beginWrite();
      } catch (error) {
        if (error instanceof ConflictError) this.world.count('begin conflict');
        else this.world.expectUnavailable(error, `${who} starting a transaction`);
        continue;
      }
      const txn = this.model.begin(`${who}.${t}`);
      await this.transaction(volume, store, txn);
      if (txn.status === 'committed') {
        this.commitsPerWriter[index] = (this.commitsPerWriter[index] ?? 0) + 1;
      }
    }
    await volume?.close();
  }

  private async transaction(volume: Volume, store: SimStore, txn: TxnModel): Promise<void> {
    const who = txn.label;
    const random = this.world.random;
    try {
      const writes = random.int(1, 4);
      for (let i = 0; i < writes; i++) {
        const pageNo = random.int(1, this.config.maxPages);
        const version = (txn.pages.get(pageNo) ?? 0) + 1;
        txn.pages.set(pageNo, version);
        await volume.write((pageNo - 1) * PAGE_SIZE, pageBytes(txn.label, pageNo, version));
      }
      if (random.chance(this.config.longTxnChance)) await this.world.pause(this.config.longPauseMs);
    } catch (error) {
      this.world.expectUnavailable(error, `${who} writing`);
      this.settle(txn, 'failed', error);
      await volume.rollback();
      return;
    }
    const from = store.logPosition;
    try {
      const info = await volume.commit();
      this.settle(txn, 'committed');
      txn.seq = info.seq;
      this.world.network.note(`${who} committed at ${info.seq}`);
      this.model.maxAcked = Math.max(this.model.maxAcked, info.seq);
      this.checkCreatedBy(txn, info.seq);
      this.pendingChecks.push(info.seq);
    } catch (error) {
      if (error instanceof ConflictError) {
        this.settle(txn, 'conflict', error);
      } else if (codeOf(error) === 'UNKNOWN_OUTCOME') {
        this.settle(txn, 'unknown', error);
        this.world.checkUnknowable(store, from, who);
      } else {
        this.world.expectUnavailable(error, `${who} committing`);
        this.settle(txn, 'failed', error);
      }
    }
  }

  private async reader(index: number): Promise<void> {
    const who = `r${index}`;
    const store = this.world.connection(who);
    let volume: Volume | undefined;
    while (this.world.writersLeft > 0 && !this.world.failed) {
      await this.world.pause(600);
      volume = await this.maybeReopen(volume);
      // The first read after an open pins the head the open found (no extra request).
      const ackedBefore = this.model.maxAcked;
      volume ??= await this.openVolume(store, who);
      if (!volume) continue;
      try {
        await volume.beginRead();
      } catch (error) {
        this.world.expectUnavailable(error, `${who} starting a read`);
        continue;
      }
      const seq = volume.snapshot.seq;
      this.checkNotBehind(seq, ackedBefore, `${who} began a read`);
      try {
        await this.readSnapshot(volume, who);
      } catch (error) {
        if (codeOf(error) !== 'SNAPSHOT_EXPIRED') {
          this.world.expectUnavailable(error, `${who} reading commit ${seq}`);
        }
      } finally {
        volume.endRead();
      }
    }
    await volume?.close();
  }

  /** Read pages of the pinned snapshot, with pauses, and compare each with history. */
  private async readSnapshot(volume: Volume, who: string): Promise<void> {
    const { seq, pageCount: pages } = volume.snapshot;
    const image = this.model.image(seq, key);
    const invariant = 'every read sees one committed snapshot';
    if (!image || pages !== pageCount(image)) {
      const history = image ? `${pageCount(image)} pages` : this.model.whyNoImage(seq, key);
      this.world.violate(
        invariant,
        `${who} pinned ${seq} with ${pages} pages; history: ${history}`,
      );
      return;
    }
    const reads = this.world.random.int(1, 4);
    for (let i = 0; i < reads && pages > 0 && !this.world.failed; i++) {
      const pageNo = this.world.random.int(1, pages);
      const page = await volume.read((pageNo - 1) * PAGE_SIZE, PAGE_SIZE);
      const expected = expectedPage(image, pageNo);
      if (!sameBytes(page, expected)) {
        this.world.violate(
          invariant,
          `${who} read page ${pageNo} of commit ${seq} as ${describePage(page)}, history says ${describePage(expected)}`,
        );
      }
      await this.world.pause(300);
    }
  }

  /** Delete one commit record after the newest checkpoint, as a careless operator might. */
  private async vandal(): Promise<void> {
    await this.world.pause(8000);
    const bucket = this.world.bucket;
    const hint = await readCheckpointHint(bucket, PREFIX);
    const head = Math.max(0, ...bucket.creations.map((c) => Number(c.key.split('/').at(-1))));
    if (head - hint < 2) return;
    const victim = key(this.world.random.int(hint + 1, head - 1));
    this.world.vandalized = victim;
    this.world.network.note(`vandal deletes ${victim}`);
    await bucket.delete(victim);
  }

  // --- invariants ---------------------------------------------------------------------------

  private settle(txn: TxnModel, status: TxnModel['status'], error?: unknown): void {
    txn.status = status;
    if (error !== undefined) txn.error = describe(error);
    this.world.count(status);
    this.world.network.note(
      `${txn.label} ${status}${error === undefined ? '' : ` ${codeOf(error)}`}`,
    );
    if (status === 'conflict' || status === 'failed') this.checkAbsent(txn);
  }

  /** Nothing a writer was told failed may ever be in history. */
  private checkAbsent(txn: TxnModel): void {
    const made = this.world.bucket.creations.find((c) => c.content === txn.label);
    if (made) {
      this.world.violate(
        'nothing acknowledged as failed is present',
        `${txn.label} was told ${txn.status} (${txn.error}) but created ${made.key}`,
      );
    }
  }

  /** An acknowledged commit is the one history has at its number, with its pages present. */
  private checkCreatedBy(txn: TxnModel, seq: number): void {
    const creator = this.model.creatorOf(seq, key);
    if (creator === txn.label) return;
    this.world.violate(
      'every acknowledged commit is readable',
      creator?.startsWith('missing-page:')
        ? `${txn.label} was acknowledged as commit ${seq}, whose record names page objects already gone when it was created`
        : `${txn.label} was acknowledged as commit ${seq}, which history says ${creator ?? 'nobody'} made`,
    );
  }

  /** A connection that opens or refreshes never sees less than what was acknowledged before. */
  private checkNotBehind(seq: number, acked: number, what: string): void {
    if (seq < acked) {
      this.world.violate(
        'no rollback',
        `${what} at commit ${seq}, but commit ${acked} was acknowledged before`,
      );
    }
  }

  /** After every step: history never forks, failures never appear, acknowledged commits read back. */
  private async afterStep(): Promise<void> {
    for (const made of this.world.newCreations()) {
      const txn = this.model.txns.get(made.content);
      if (txn && (txn.status === 'conflict' || txn.status === 'failed')) this.checkAbsent(txn);
    }
    if (this.world.failed) return;
    const checks = this.pendingChecks;
    this.pendingChecks = [];
    for (const seq of checks) await this.checkReadable(seq);
    const deletions = this.world.bucket.deletions.length;
    if (checks.length > 0 || deletions > this.seenDeletions) {
      this.seenDeletions = deletions;
      await this.checkHead();
    }
  }

  /** Commit `seq` reads back, through a fault-free connection, with exactly its content. */
  private async checkReadable(seq: number): Promise<void> {
    let volume: Volume;
    try {
      volume = await Volume.open(this.world.bucket, PREFIX, this.volumeOptions({ at: seq }));
    } catch (error) {
      if (this.world.reportsGap(error)) return;
      if (codeOf(error) === 'SNAPSHOT_EXPIRED' && (await this.oldestRetained()) > seq) return;
      const deleted = this.world.vandalized === key(seq);
      this.world.violate(
        deleted ? 'gaps are errors' : 'every acknowledged commit is readable',
        `commit ${seq}: ${describe(error)}`,
      );
      return;
    }
    await this.compare(volume, `commit ${seq}`);
  }

  /** The head, opened fault-free, is at least every acknowledged commit and reads as history says. */
  private async checkHead(): Promise<void> {
    let volume: Volume;
    try {
      volume = await Volume.open(this.world.bucket, PREFIX, this.volumeOptions({ readOnly: true }));
    } catch (error) {
      if (!this.world.reportsGap(error))
        this.world.violate('the head is readable', describe(error));
      return;
    }
    this.checkNotBehind(volume.snapshot.seq, this.model.maxAcked, 'a fresh open');
    await this.compare(volume, `head ${volume.snapshot.seq}`);
  }

  /** Every page of the volume's snapshot is what history says, and nothing fails to read. */
  private async compare(volume: Volume, what: string): Promise<void> {
    const invariant = 'every acknowledged commit is readable';
    const image = this.model.image(volume.snapshot.seq, key);
    try {
      if (!image || volume.snapshot.pageCount !== pageCount(image)) {
        const seq = volume.snapshot.seq;
        const history = image ? `${pageCount(image)} pages` : this.model.whyNoImage(seq, key);
        this.world.violate(
          invariant,
          `${what} has ${volume.snapshot.pageCount} pages; history: ${history}`,
        );
        return;
      }
      const pages = pageCount(image);
      const bytes = await volume.read(0, pages * PAGE_SIZE);
      for (let pageNo = 1; pageNo <= pages; pageNo++) {
        const page = bytes.subarray((pageNo - 1) * PAGE_SIZE, pageNo * PAGE_SIZE);
        const expected = expectedPage(image, pageNo);
        if (!sameBytes(page, expected)) {
          this.world.violate(
            invariant,
            `${what} page ${pageNo} reads ${describePage(page)}, history says ${describePage(expected)}`,
          );
          return;
        }
      }
    } catch (error) {
      if (!this.world.reportsGap(error))
        this.world.violate(invariant, `${what}: ${describe(error)}`);
    } finally {
      await volume.close();
    }
  }

  private async oldestRetained(): Promise<number> {
    const k = oldestRetainedKey(PREFIX);
    const body = await this.world.bucket.get(k).then(
      (object) => object.body,
      () => undefined,
    );
    return body ? decodeOldestRetained(k, body) : 0;
  }

  /** At the end: every acknowledged commit that GC did not remove reads back exactly. */
  private async finalCheck(): Promise<void> {
    for (const txn of this.model.txns.values()) {
      if (txn.status === 'committed' && txn.seq !== undefined) await this.checkReadable(txn.seq);
      if (this.world.failed) return;
    }
    await this.checkHead();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((value, i) => value === b[i]);
}

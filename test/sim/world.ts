import { S3liteError } from '../../src/errors.js';
import { collectGarbage } from '../../src/volume/index.js';
import { Scheduler, SeededRandom } from './scheduler.js';
import {
  CALM,
  SimBucket,
  SimNetwork,
  SimStore,
  type Creation,
  type FaultRates,
} from './sim-store.js';

/** Key prefix of the simulated database. */
export const PREFIX = 'db';
/** Simulated time after which a run counts as stuck. */
const DEADLINE_MS = 6 * 3_600_000;
/** Errors that only say the store could not be reached in time: allowed, nothing happened. */
const UNAVAILABLE = new Set(['UNREACHABLE', 'TIMEOUT', 'STORE_ERROR']);

/** How each simulated connection talks to the bucket. */
export interface ConnectionSettings {
  requestTimeoutMs: number;
  maxAttempts: number;
}

/** What every run reports. */
export interface RunReport {
  seed: number;
  /** Broken invariants (a run stops at the first step that breaks any). */
  violations: string[];
  traceHash: string;
  /** The trace itself, when asked for. */
  trace: string[] | undefined;
  steps: number;
  simulatedMs: number;
  requests: number;
  outcomes: Record<string, number>;
}

/** A seed's fault rates: calm, or hostile to a seeded degree ("swarm testing"). */
export function faultsFor(r: SeededRandom): FaultRates {
  const hostile = r.pick([0, 0.01, 0.04, 0.1]);
  if (hostile === 0) return { ...CALM, latencyMs: [1, r.int(2, 40)] };
  return {
    refuse: hostile * r.random(),
    resetBefore: hostile * r.random(),
    hangBefore: (hostile * r.random()) / 4,
    resetAfter: hostile * r.random(),
    hangAfter: (hostile * r.random()) / 4,
    slow: r.pick([0, 0.02, 0.1]),
    latencyMs: [1, r.int(2, 60)],
    slowMs: r.int(100, 3000),
  };
}

/**
 * What both simulations share: simulated time, the seeded random source, the bucket and its
 * history, the network of faulty connections, the record of broken invariants, and the
 * checks that need only the bucket's history.
 */
export class World {
  readonly scheduler = new Scheduler();
  readonly random: SeededRandom;
  readonly bucket: SimBucket;
  readonly network: SimNetwork;
  readonly violations: string[] = [];
  readonly outcomes: Record<string, number> = {};
  /** Writers still at work: readers and gc stop when none is left. */
  writersLeft = 0;
  /** The commit record an operator deleted, in seeds that do: errors naming it are right. */
  vandalized: string | undefined;
  private seenCreations = 0;

  constructor(
    readonly seed: number,
    faults: FaultRates,
    private readonly settings: ConnectionSettings,
    keepTrace: boolean,
  ) {
    this.random = new SeededRandom(seed);
    this.bucket = new SimBucket(this.scheduler);
    this.network = new SimNetwork(this.scheduler, this.random, faults, this.bucket, keepTrace);
  }

  get failed(): boolean {
    return this.violations.length > 0;
  }

  /** Wait for `work`, firing simulated timers meanwhile. */
  drive<T>(work: Promise<T>): Promise<T> {
    return this.scheduler.drive(work, DEADLINE_MS);
  }

  /** A new client connection (each actor has its own, as each process has its S3 client). */
  connection(name: string): SimStore {
    return new SimStore(this.network, name, this.settings);
  }

  pause(maxMs: number): Promise<void> {
    return this.scheduler.sleep(this.random.int(0, maxMs));
  }

  violate(invariant: string, detail: string): void {
    const line = `[${invariant}] at ${this.scheduler.monotonic().toFixed(1)} ms: ${detail}`;
    this.violations.push(line);
    this.network.note(`VIOLATION ${line}`);
  }

  count(outcome: string): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }

  /** Only errors that mean "the store was unavailable" may reach an actor. */
  expectUnavailable(error: unknown, what: string): void {
    if (this.reportsGap(error)) return;
    const code = codeOf(error);
    this.count(`error ${code}`);
    if (!UNAVAILABLE.has(code)) this.violate('only clean errors', `${what}: ${describe(error)}`);
  }

  /** The usual cast of actors: writers, readers, and gc when the seed wants it. */
  cast(
    config: { writers: number; readers: number; gc: boolean; checkpointInterval: number },
    writer: (index: number) => Promise<void>,
    reader: (index: number) => Promise<void>,
  ): Array<[string, () => Promise<void>]> {
    this.writersLeft = config.writers;
    const actors: Array<[string, () => Promise<void>]> = [];
    for (let i = 0; i < config.writers; i++) {
      actors.push([`writer ${i}`, () => writer(i).finally(() => (this.writersLeft -= 1))]);
    }
    for (let i = 0; i < config.readers; i++) actors.push([`reader ${i}`, () => reader(i)]);
    if (config.gc) actors.push(['gc', () => this.collector(config.checkpointInterval)]);
    return actors;
  }

  /** `operation`'s result; undefined, with its error judged clean or not, when it fails. */
  async unlessUnavailable<T>(what: string, operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await operation();
    } catch (error) {
      this.expectUnavailable(error, what);
      return undefined;
    }
  }

  /** Whether `error` is the CORRUPT that names the commit record an operator deleted. */
  reportsGap(error: unknown): boolean {
    const gap = codeOf(error) === 'CORRUPT' && this.vandalized !== undefined;
    if (gap && (error as Error).message.includes(this.vandalized as string)) {
      this.count('gap reported');
      return true;
    }
    return false;
  }

  /**
   * Run `actors` concurrently in simulated time until all end or an invariant breaks;
   * `afterStep` checks invariants after every step, `finalCheck` once at the end.
   */
  async run(
    actors: Array<[string, () => Promise<void>]>,
    afterStep: () => Promise<void>,
    finalCheck: () => Promise<void>,
  ): Promise<RunReport> {
    let finished = 0;
    for (const [name, body] of actors) {
      void body()
        .catch((error: unknown) => this.violate('actor', `${name} crashed: ${describe(error)}`))
        .finally(() => (finished += 1));
    }
    try {
      await this.scheduler.run(
        () => finished === actors.length || this.failed,
        afterStep,
        DEADLINE_MS,
      );
      if (!this.failed) await this.drive(finalCheck());
    } catch (error) {
      this.violate('progress', describe(error));
    }
    // Actors stopped mid-operation finish it, so nothing they hold (such as the SQL module's
    // lock) outlives the run; they start nothing new once an invariant is broken.
    await this.scheduler
      .run(
        () => finished === actors.length,
        async () => undefined,
        DEADLINE_MS,
      )
      .catch(() => undefined);
    return {
      seed: this.seed,
      violations: this.violations,
      traceHash: this.network.traceHash(),
      trace: this.network.lines,
      steps: this.scheduler.steps,
      simulatedMs: this.scheduler.monotonic(),
      requests: this.network.requests.length,
      outcomes: this.outcomes,
    };
  }

  /**
   * Commit records created since the last call, after checking that none re-creates a
   * sequence number: history never forks, whatever GC removed meanwhile.
   */
  newCreations(): Creation[] {
    const creations = this.bucket.creations;
    const fresh = creations.slice(this.seenCreations);
    for (; this.seenCreations < creations.length; this.seenCreations++) {
      const made = creations[this.seenCreations] as Creation;
      const earlier = creations.slice(0, this.seenCreations).find((c) => c.key === made.key);
      if (earlier) {
        this.violate(
          'no sequence number has two contents',
          `${made.key} created again by ${made.content} (first by ${earlier.content} at ${earlier.atMs} ms)`,
        );
      }
    }
    return fresh;
  }

  /**
   * UNKNOWN_OUTCOME is honest only when this connection's create of a commit record went
   * unanswered and no later request for that record got an answer that would have told.
   */
  checkUnknowable(store: SimStore, from: number, who: string): void {
    const requests = store.requestsSince(from);
    const unanswered = requests.filter(
      (r) => r.operation === 'put' && r.createOnly && /commits\/\d+$/.test(r.key) && !r.answered,
    );
    const last = unanswered.at(-1);
    if (!last) {
      this.violate(
        'UNKNOWN_OUTCOME only when unknowable',
        `${who}: every create of its commit record was answered`,
      );
      return;
    }
    const told = requests.find(
      (r) => r.index > last.index && r.key === last.key && r.answered && r.operation !== 'put',
    );
    if (told) {
      this.violate(
        'UNKNOWN_OUTCOME only when unknowable',
        `${who}: ${told.operation} of ${told.key} was answered after the unanswered create`,
      );
    }
  }

  /**
   * Garbage collection with seeded rules while writers work. Settings the library refuses
   * are a clean answer, as is an unavailable store.
   */
  private async collector(checkpointInterval: number): Promise<void> {
    const store = this.connection('gc');
    while (this.writersLeft > 0 && !this.failed) {
      await this.pause(2000);
      const keepLast = this.random.int(1, 4);
      const grace = this.random.pick([0, 20, 500, 2000, 3_600_000]);
      this.network.note(`gc keepLast ${keepLast} grace ${grace}`);
      try {
        await collectGarbage(store, PREFIX, {
          keepLast,
          grace,
          checkpointInterval,
          clock: this.scheduler,
          random: this.random,
        });
        this.count('gc run');
      } catch (error) {
        if (codeOf(error) === 'INVALID_ARGUMENT') this.count('gc refused its settings');
        else if (codeOf(error) !== 'SNAPSHOT_EXPIRED') this.expectUnavailable(error, 'gc');
      }
    }
  }
}

export function codeOf(error: unknown): string {
  return error instanceof S3liteError ? error.code : 'NOT_AN_S3LITE_ERROR';
}

export function describe(error: unknown): string {
  if (error instanceof S3liteError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

import { createHash, type Hash } from 'node:crypto';
import { StoreError, UnreachableError } from '../../src/errors.js';
import { decodeCommitRecord, pageKey } from '../../src/format/index.js';
import type { Attempt } from '../../src/store/base-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { PutOptions, PutResult, StoreOperation } from '../../src/store/types.js';
import { DelegatingStore } from '../../src/store/delegating-store.js';
import { labelOf } from './model.js';
import type { Scheduler, SeededRandom } from './scheduler.js';

/**
 * How one seed's store misbehaves: each request independently meets at most one fault, with
 * these chances. Chosen per seed ("swarm testing"): some seeds are calm, some hostile.
 */
export interface FaultRates {
  /** 503 SlowDown before the request reaches the data: not applied, retryable. */
  refuse: number;
  /** Connection reset before the request reaches the data: not applied, the client cannot tell. */
  resetBefore: number;
  /** The request hangs before reaching the data until the client's time limit: not applied. */
  hangBefore: number;
  /** Applied, then the connection resets: the response is lost. */
  resetAfter: number;
  /** Applied, then the response never comes: the client's attempt times out. */
  hangAfter: number;
  /** Chance of a slow request (up to `slowMs` each way), which reorders it after later ones. */
  slow: number;
  /** Usual one-way latency range, ms. */
  latencyMs: [number, number];
  slowMs: number;
}

export const CALM: FaultRates = {
  refuse: 0,
  resetBefore: 0,
  hangBefore: 0,
  resetAfter: 0,
  hangAfter: 0,
  slow: 0,
  latencyMs: [1, 20],
  slowMs: 0,
};

/** The client's view of one request: did the server apply it, and did its answer arrive. */
export interface RequestRecord {
  /** Position in the whole simulation's request log. */
  index: number;
  operation: StoreOperation;
  key: string;
  /** Create-only PUT. */
  createOnly: boolean;
  /** The server acted on the request (for a PUT: the object was written, or refused with 412). */
  applied: boolean;
  /** The client received the server's answer (success or an error status such as 404/412). */
  answered: boolean;
}

/** Every commit record ever created, by key, in order: what "history" really was. */
export interface Creation {
  key: string;
  /** The simulated transaction's label, or what else the bytes were. */
  content: string;
  atMs: number;
}

/** The bucket behind every simulated connection: a MemoryStore that remembers what happened. */
export class SimBucket extends MemoryStore {
  readonly creations: Creation[] = [];
  readonly deletions: Array<{ key: string; atMs: number }> = [];

  constructor(private readonly scheduler: Scheduler) {
    // Generous time limit: the bucket itself never hangs; connections time out on their own.
    super({ clock: scheduler, retry: { maxAttempts: 1 }, requestTimeoutMs: 3_600_000 });
  }

  protected override async doPut(
    key: string,
    body: Uint8Array,
    options: PutOptions,
  ): Promise<PutResult> {
    const result = await super.doPut(key, body, options);
    if (/(^|\/)commits\/\d+$/.test(key)) {
      const content = await this.creatorLabel(key, body);
      this.creations.push({ key, content, atMs: this.scheduler.monotonic() });
    }
    return result;
  }

  /**
   * Which simulated transaction made a commit record: the label inside its first page (every
   * simulated page names its writer). Bytes that are no commit record, or a record whose page
   * is missing, are named by what they are.
   */
  private async creatorLabel(key: string, body: Uint8Array): Promise<string> {
    let record;
    try {
      record = decodeCommitRecord(key, body);
    } catch {
      return `bytes:${createHash('sha256').update(body).digest('hex').slice(0, 16)}`;
    }
    const first = record.pages[0];
    if (!first) return `empty:${record.txid}`;
    const prefix = key.replace(/\/?commits\/\d+$/, '');
    try {
      const page = await this.doGet(pageKey(prefix, record.txid, first[0], first[1]), {});
      return labelOf(page.body);
    } catch {
      return `missing-page:${record.txid}`;
    }
  }

  protected override async doDelete(key: string): Promise<void> {
    await super.doDelete(key);
    this.deletions.push({ key, atMs: this.scheduler.monotonic() });
  }
}

/** Shared by every connection of one simulation: the fault plan and the request log. */
export class SimNetwork {
  readonly requests: RequestRecord[] = [];
  /** The trace's lines, kept only when asked for (to print a failing seed's story). */
  readonly lines: string[] | undefined;
  private readonly trace: Hash = createHash('sha256');

  constructor(
    readonly scheduler: Scheduler,
    readonly random: SeededRandom,
    readonly rates: FaultRates,
    readonly bucket: SimBucket,
    keepLines: boolean,
  ) {
    this.lines = keepLines ? [] : undefined;
  }

  /** Add a line to the trace that the determinism check compares. */
  note(line: string): void {
    const text = `${this.scheduler.monotonic().toFixed(3)} ${line}\n`;
    this.trace.update(text);
    this.lines?.push(text);
  }

  traceHash(): string {
    return this.trace.copy().digest('hex');
  }

  latency(): number {
    const [low, high] = this.rates.latencyMs;
    const slow = this.random.chance(this.rates.slow);
    return slow ? this.random.int(high, this.rates.slowMs) : this.random.int(low, high);
  }

  fault(): keyof Omit<FaultRates, 'slow' | 'latencyMs' | 'slowMs'> | undefined {
    const r = this.random.random();
    let sum = 0;
    for (const kind of [
      'refuse',
      'resetBefore',
      'hangBefore',
      'resetAfter',
      'hangAfter',
    ] as const) {
      sum += this.rates[kind];
      if (r < sum) return kind;
    }
    return undefined;
  }
}

/**
 * One client's connection to the simulated bucket (each actor has its own, as each process
 * has its own S3 client): the library's real retry and time-limit logic on top, and below it
 * requests that travel for a seeded time each way, may be refused, reset or hang, and are
 * applied at the instant they reach the bucket. A request is applied before its attempt's
 * time limit or never: outcomes become unknowable only to the client, never to the bucket.
 */
export class SimStore extends DelegatingStore {
  constructor(
    private readonly network: SimNetwork,
    readonly name: string,
    options: { requestTimeoutMs: number; maxAttempts: number },
  ) {
    super(network.bucket, {
      clock: network.scheduler,
      random: network.random,
      requestTimeoutMs: options.requestTimeoutMs,
      retry: { maxAttempts: options.maxAttempts, baseDelayMs: 50, maxDelayMs: 2000 },
    });
  }

  /** This connection's requests from log position `from` on. */
  requestsSince(from: number): RequestRecord[] {
    return this.network.requests.filter((r) => r.index >= from && this.mine.has(r.index));
  }

  get logPosition(): number {
    return this.network.requests.length;
  }

  private readonly mine = new Set<number>();

  protected override async around<T>(
    operation: StoreOperation,
    key: string | undefined,
    attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    const net = this.network;
    const record: RequestRecord = {
      index: net.requests.length,
      operation,
      key: key ?? '',
      createOnly: false,
      applied: false,
      answered: false,
    };
    net.requests.push(record);
    this.mine.add(record.index);
    const fault = net.fault();
    const label = `${this.name} ${operation} ${record.key}`;
    const clock = net.scheduler;
    const settleAs = (outcome: string) => net.note(`${label} #${record.index} ${outcome}`);
    await clock.sleep(net.latency(), attempt.signal).catch((error: unknown) => {
      settleAs('timed out on the way');
      throw error;
    });
    switch (fault) {
      case 'refuse':
        record.answered = true;
        settleAs('503');
        throw new StoreError(`simulated 503 SlowDown: ${label}`, 503, { retryable: true });
      case 'resetBefore':
        settleAs('reset before');
        throw new UnreachableError(`simulated connection reset: ${label}`);
      case 'hangBefore':
        await hang(attempt.signal);
        settleAs('hung before');
        throw new UnreachableError(`simulated hang: ${label}`);
    }
    let result: T;
    try {
      result = await forward();
      record.applied = true;
    } catch (error) {
      // The bucket refused (404, 412): applied in the sense that the server decided.
      record.applied = true;
      settleAs(`error ${(error as { code?: string }).code ?? '?'}`);
      if (fault === 'resetAfter') throw new UnreachableError(`simulated reset after: ${label}`);
      if (fault === 'hangAfter') {
        await hang(attempt.signal);
        throw new UnreachableError(`simulated hang after: ${label}`);
      }
      await clock.sleep(net.latency(), attempt.signal);
      record.answered = true;
      throw error;
    }
    if (fault === 'resetAfter') {
      settleAs('applied, reset after');
      throw new UnreachableError(`simulated connection reset after applying: ${label}`);
    }
    if (fault === 'hangAfter') {
      settleAs('applied, hung after');
      await hang(attempt.signal);
      throw new UnreachableError(`simulated hang after applying: ${label}`);
    }
    await clock.sleep(net.latency(), attempt.signal).catch((error: unknown) => {
      settleAs('applied, timed out on the way back');
      throw error;
    });
    record.answered = true;
    settleAs('ok');
    return result;
  }

  protected override doPut(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    attempt: Attempt,
  ): Promise<PutResult> {
    const index = this.network.requests.length;
    const promise = super.doPut(key, body, options, attempt);
    const record = this.network.requests[index];
    if (record) record.createOnly = options.ifNoneMatch === '*';
    return promise;
  }
}

/** Wait until the attempt's time limit (or the caller) aborts it. */
function hang(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

import pLimit, { type LimitFunction } from 'p-limit';
import { realClock, realRandom, type Clock, type Random } from '../clock.js';
import {
  AbortedError,
  InvalidArgumentError,
  S3liteError,
  StoreError,
  TimeoutError,
} from '../errors.js';
import { checkWholeNumber } from '../option-checks.js';
import { unquoteEtag } from './etag.js';
import { StoreMetrics } from './metrics.js';
import { probeConditionalWrites } from './probe.js';
import { backoffDelay } from '../backoff.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import type {
  ConditionalWriteSupport,
  GetOptions,
  GetResult,
  ListOptions,
  ListPage,
  ObjectInfo,
  ObjectStore,
  PutOptions,
  PutResult,
  RequestOptions,
  StoreOperation,
  StreamGetOptions,
  StreamGetResult,
} from './types.js';

/** Options every store accepts. */
export interface BaseStoreOptions {
  /** Requests in flight at once, shared by every caller of this store. */
  concurrency?: number;
  /** Time limit of one attempt, in ms (default 30000). A timed-out attempt is retried. */
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  /** Time for back-off waits, attempt time limits, latency figures and object dates (default: real). */
  clock?: Clock;
  /** Randomness for back-off jitter and scratch keys (default: real). */
  random?: Random;
}

/** Most keys a single batch-delete request takes (the S3 limit). */
export const DELETE_BATCH_SIZE = 1000;
const MAX_KEY_BYTES = 1024;

/** One attempt's context handed to an implementation: the signal ends it on timeout or abort. */
export interface Attempt {
  signal: AbortSignal;
}

/**
 * What every store shares: argument checks, bounded concurrency, a per-attempt timeout,
 * retries with jittered back-off for retryable failures, and metrics. Implementations supply
 * one attempt of each operation (`doGet`, `doPut`, …) and throw typed {@link S3liteError}s.
 */
export abstract class BaseStore implements ObjectStore {
  abstract readonly location: string;
  readonly metrics = new StoreMetrics();
  protected readonly clock: Clock;
  protected readonly random: Random;
  private readonly limit: LimitFunction;
  private readonly retry: Required<RetryOptions>;
  private readonly requestTimeoutMs: number;

  protected constructor(options: BaseStoreOptions, defaults: { concurrency: number }) {
    const concurrency = options.concurrency ?? defaults.concurrency;
    // Infinity is a store's own default where nothing needs bounding (memory, wrappers).
    this.limit = pLimit(
      concurrency === Infinity ? concurrency : checkWholeNumber('concurrency', concurrency, 1),
    );
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    checkWholeNumber('retry.maxAttempts', this.retry.maxAttempts, 1);
    // setTimeout takes at most 2^31 - 1 ms (about 24.8 days); longer fires at once.
    this.requestTimeoutMs = checkWholeNumber(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? 30_000,
      1,
      2 ** 31 - 1,
    );
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? realRandom;
  }

  protected abstract doGet(key: string, options: GetOptions, attempt: Attempt): Promise<GetResult>;
  protected abstract doHead(key: string, attempt: Attempt): Promise<ObjectInfo>;
  protected abstract doPut(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    attempt: Attempt,
  ): Promise<PutResult>;
  protected abstract doGetStream(key: string, options: StreamGetOptions): Promise<StreamGetResult>;
  protected abstract doPutStream(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: RequestOptions,
  ): Promise<PutResult>;
  protected abstract doDelete(key: string, attempt: Attempt): Promise<void>;
  /** Delete at most {@link DELETE_BATCH_SIZE} keys in one request. */
  protected abstract doDeleteBatch(keys: readonly string[], attempt: Attempt): Promise<void>;
  protected abstract doList(
    prefix: string,
    startAfter: string | undefined,
    maxKeys: number,
    attempt: Attempt,
  ): Promise<ListPage>;

  async get(key: string, givenOptions: GetOptions = {}): Promise<GetResult> {
    checkKey(key);
    const options = withUnquotedEtag(givenOptions);
    if (options.range) checkRange(options.range.offset, options.range.length);
    const result = await this.run('get', options.signal, (a) => this.doGet(key, options, a));
    this.metrics.recordBytesIn(result.body.byteLength);
    return result;
  }

  async head(key: string, options: RequestOptions = {}): Promise<ObjectInfo> {
    checkKey(key);
    return this.run('head', options.signal, (a) => this.doHead(key, a));
  }

  async put(key: string, body: Uint8Array, givenOptions: PutOptions = {}): Promise<PutResult> {
    checkKey(key);
    const options = withUnquotedEtag(givenOptions);
    if (options.ifMatch !== undefined && options.ifNoneMatch !== undefined) {
      throw new InvalidArgumentError(`put "${key}": ifMatch and ifNoneMatch are exclusive`);
    }
    return this.run('put', options.signal, async (a) => {
      const result = await this.doPut(key, body, options, a);
      this.metrics.recordBytesOut(body.byteLength);
      return result;
    });
  }

  async getStream(key: string, options: StreamGetOptions = {}): Promise<StreamGetResult> {
    checkKey(key);
    const started = this.clock.monotonic();
    try {
      const result = await this.doGetStream(key, withUnquotedEtag(options));
      return {
        info: result.info,
        body: this.counted(result.body, (n) => this.metrics.recordBytesIn(n)),
      };
    } catch (error) {
      this.metrics.recordError(asS3liteError(error).code);
      throw error;
    } finally {
      this.metrics.recordRequest('get', this.clock.monotonic() - started);
    }
  }

  async putStream(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: RequestOptions = {},
  ): Promise<PutResult> {
    checkKey(key);
    const started = this.clock.monotonic();
    try {
      return await this.doPutStream(
        key,
        this.counted(body, (n) => this.metrics.recordBytesOut(n)),
        options,
      );
    } catch (error) {
      this.metrics.recordError(asS3liteError(error).code);
      throw error;
    } finally {
      this.metrics.recordRequest('put', this.clock.monotonic() - started);
    }
  }

  async delete(key: string, options: RequestOptions = {}): Promise<void> {
    checkKey(key);
    await this.run('delete', options.signal, (a) => this.doDelete(key, a));
  }

  async deleteMany(keys: readonly string[], options: RequestOptions = {}): Promise<void> {
    keys.forEach(checkKey);
    const batches: string[][] = [];
    for (let i = 0; i < keys.length; i += DELETE_BATCH_SIZE) {
      batches.push(keys.slice(i, i + DELETE_BATCH_SIZE));
    }
    await Promise.all(
      batches.map((batch) =>
        this.run('deleteMany', options.signal, (a) => this.doDeleteBatch(batch, a)),
      ),
    );
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const maxKeys = options.maxKeys ?? DELETE_BATCH_SIZE;
    if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) {
      throw new InvalidArgumentError(
        `list maxKeys must be an integer from 1 to 1000, got ${maxKeys}`,
      );
    }
    return this.run('list', options.signal, (a) =>
      this.doList(prefix, options.startAfter, maxKeys, a),
    );
  }

  async *listAll(
    prefix: string,
    options: Omit<ListOptions, 'maxKeys'> = {},
  ): AsyncIterable<ObjectInfo> {
    let startAfter = options.startAfter;
    for (;;) {
      const page = await this.list(prefix, { ...options, startAfter });
      yield* page.objects;
      const last = page.objects.at(-1);
      if (!page.truncated || last === undefined) return;
      startAfter = last.key;
    }
  }

  probeConditionalWrites(
    prefix: string,
    options: RequestOptions = {},
  ): Promise<ConditionalWriteSupport> {
    return probeConditionalWrites(this, prefix, this.random, options.signal);
  }

  async close(): Promise<void> {
    this.limit.clearQueue();
  }

  /** `chunks`, reporting each chunk's size as it passes. */
  private async *counted(
    chunks: AsyncIterable<Uint8Array>,
    record: (bytes: number) => void,
  ): AsyncIterable<Uint8Array> {
    for await (const chunk of chunks) {
      record(chunk.byteLength);
      yield chunk;
    }
  }

  /**
   * Run one operation: each attempt takes a concurrency slot, gets its own timeout, and is
   * counted; retryable failures are repeated after a back-off that holds no slot.
   */
  private async run<T>(
    operation: StoreOperation,
    callerSignal: AbortSignal | undefined,
    attemptOnce: (attempt: Attempt) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (callerSignal?.aborted) {
        throw new AbortedError(`${operation} aborted`, { cause: callerSignal.reason });
      }
      try {
        return await this.limit(() => this.timedAttempt(operation, callerSignal, attemptOnce));
      } catch (error) {
        const failure = asS3liteError(error);
        this.metrics.recordError(failure.code);
        if (!failure.retryable || attempt + 1 >= this.retry.maxAttempts) throw failure;
        this.metrics.recordRetry();
        const { baseDelayMs: baseMs, maxDelayMs: maxMs } = this.retry;
        const delay = backoffDelay({ baseMs, maxMs, floor: 0 }, attempt, this.random);
        await this.clock.sleep(delay, callerSignal);
      }
    }
  }

  private async timedAttempt<T>(
    operation: StoreOperation,
    callerSignal: AbortSignal | undefined,
    attemptOnce: (attempt: Attempt) => Promise<T>,
  ): Promise<T> {
    const timeout = new AbortController();
    const cancelTimeout = this.clock.after(this.requestTimeoutMs, () =>
      timeout.abort(new DOMException('attempt timed out', 'TimeoutError')),
    );
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout.signal]) : timeout.signal;
    const started = this.clock.monotonic();
    try {
      return await attemptOnce({ signal });
    } catch (error) {
      if (callerSignal?.aborted) {
        throw new AbortedError(`${operation} on ${this.location} aborted`, { cause: error });
      }
      if (timeout.signal.aborted) {
        throw new TimeoutError(
          `${operation} on ${this.location} timed out after ${this.requestTimeoutMs} ms`,
          { cause: error },
        );
      }
      throw error;
    } finally {
      cancelTimeout();
      this.metrics.recordRequest(operation, this.clock.monotonic() - started);
    }
  }
}

function asS3liteError(error: unknown): S3liteError {
  if (error instanceof S3liteError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(message, undefined, { cause: error });
}

/** Callers may pass an ETag quoted, as HTTP shows it; stores compare the unquoted form. */
function withUnquotedEtag<T extends { ifMatch?: string }>(options: T): T {
  return options.ifMatch === undefined
    ? options
    : { ...options, ifMatch: unquoteEtag(options.ifMatch) };
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidArgumentError('object key must be a non-empty string');
  }
  if (new TextEncoder().encode(key).byteLength > MAX_KEY_BYTES) {
    throw new InvalidArgumentError(
      `object key longer than ${MAX_KEY_BYTES} bytes: "${key.slice(0, 64)}…"`,
    );
  }
}

function checkRange(offset: number, length: number | undefined): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidArgumentError(`range offset must be a non-negative integer, got ${offset}`);
  }
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 1)) {
    throw new InvalidArgumentError(`range length must be a positive integer, got ${length}`);
  }
}

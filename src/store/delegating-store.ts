import { BaseStore, type Attempt, type BaseStoreOptions } from './base-store.js';
import type {
  GetOptions,
  GetResult,
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

/**
 * A store that passes every request to another store. Wrappers extend it and change one
 * aspect, most by overriding {@link DelegatingStore.around} (streamed reads and writes pass
 * straight through: they are neither retried nor timed). They keep metrics of their own,
 * so `wrapper.metrics` counts what callers asked for and `inner.metrics` what reached the
 * real store. Wrappers neither retry nor bound concurrency unless told to: the inner store
 * already does both.
 */
export class DelegatingStore extends BaseStore {
  readonly location: string;

  constructor(
    readonly inner: ObjectStore,
    options: BaseStoreOptions = {},
  ) {
    super({ retry: { maxAttempts: 1 }, ...options }, { concurrency: Infinity });
    this.location = inner.location;
  }

  /** Every attempt passes through here; `forward` sends it on to the inner store. */
  protected around<T>(
    _operation: StoreOperation,
    _key: string | undefined,
    _attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    return forward();
  }

  protected doGet(key: string, options: GetOptions, attempt: Attempt): Promise<GetResult> {
    return this.around('get', key, attempt, () =>
      this.inner.get(key, { ...options, signal: attempt.signal }),
    );
  }

  protected doHead(key: string, attempt: Attempt): Promise<ObjectInfo> {
    return this.around('head', key, attempt, () =>
      this.inner.head(key, { signal: attempt.signal }),
    );
  }

  protected doPut(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    attempt: Attempt,
  ): Promise<PutResult> {
    return this.around('put', key, attempt, () =>
      this.inner.put(key, body, { ...options, signal: attempt.signal }),
    );
  }

  protected doGetStream(key: string, options: StreamGetOptions): Promise<StreamGetResult> {
    return this.inner.getStream(key, options);
  }

  protected doPutStream(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: RequestOptions,
  ): Promise<PutResult> {
    return this.inner.putStream(key, body, options);
  }

  protected doDelete(key: string, attempt: Attempt): Promise<void> {
    return this.around('delete', key, attempt, () =>
      this.inner.delete(key, { signal: attempt.signal }),
    );
  }

  protected doDeleteBatch(keys: readonly string[], attempt: Attempt): Promise<void> {
    return this.around('deleteMany', keys[0], attempt, () =>
      this.inner.deleteMany(keys, { signal: attempt.signal }),
    );
  }

  protected doList(
    prefix: string,
    startAfter: string | undefined,
    maxKeys: number,
    attempt: Attempt,
  ): Promise<ListPage> {
    return this.around('list', prefix, attempt, () =>
      this.inner.list(prefix, { startAfter, maxKeys, signal: attempt.signal }),
    );
  }

  override async close(): Promise<void> {
    await super.close();
    await this.inner.close();
  }
}

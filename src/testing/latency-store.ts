import type { Attempt, BaseStoreOptions } from '../store/base-store.js';
import type { ObjectStore, StoreOperation } from '../store/types.js';
import { DelegatingStore } from '../store/delegating-store.js';

export interface LatencyOptions extends BaseStoreOptions {
  /** Delay added before each request, in ms, or a function of the operation. */
  latencyMs: number | ((operation: StoreOperation) => number);
}

/**
 * Adds a delay to every request, to see how a workload behaves at S3's real latency (tens
 * of milliseconds) on a fast local store: there, the number of sequential round trips
 * decides the time.
 */
export class LatencyStore extends DelegatingStore {
  private readonly latencyOf: (operation: StoreOperation) => number;

  constructor(inner: ObjectStore, options: LatencyOptions) {
    super(inner, options);
    const latency = options.latencyMs;
    this.latencyOf = typeof latency === 'number' ? () => latency : latency;
  }

  protected override async around<T>(
    operation: StoreOperation,
    _key: string | undefined,
    attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    await this.clock.sleep(this.latencyOf(operation), attempt.signal);
    return forward();
  }
}

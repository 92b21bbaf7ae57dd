import type { Attempt } from '../../src/store/base-store.js';
import type { ObjectStore, StoreOperation } from '../../src/store/types.js';
import { DelegatingStore } from '../../src/store/delegating-store.js';

/**
 * A store whose GETs under one prefix wait, once held, until released: a
 * store request that takes as long as a test wants, without any timer. `arrived` resolves when
 * the first GET is held.
 */
export class GateStore extends DelegatingStore {
  private gate: { prefix: string; open: Promise<void>; release: () => void } | undefined;
  private onArrival: () => void = () => undefined;
  /** Resolves once a GET has been held at the closed gate. */
  arrived: Promise<void> = Promise.resolve();

  constructor(inner: ObjectStore) {
    super(inner);
  }

  /** Hold every GET of a key under `prefix` from now until {@link release}. */
  hold(prefix: string): void {
    let release = (): void => undefined;
    const open = new Promise<void>((resolve) => (release = resolve));
    this.gate = { prefix, open, release };
    this.arrived = new Promise<void>((resolve) => (this.onArrival = resolve));
  }

  /** Let the held GETs (and later ones) through. */
  release(): void {
    this.gate?.release();
    this.gate = undefined;
  }

  /** Held GETs go through before the store closes. */
  override close(): Promise<void> {
    this.release();
    return super.close();
  }

  protected override async around<T>(
    operation: StoreOperation,
    key: string | undefined,
    _attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    const gate = this.gate;
    if (gate && operation === 'get' && key?.startsWith(gate.prefix)) {
      this.onArrival();
      await gate.open;
    }
    return forward();
  }
}

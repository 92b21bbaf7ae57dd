import { describe, expect, it } from 'vitest';
import type { Attempt } from '../../src/store/base-store.js';
import { MemoryStore } from '../../src/store/index.js';
import type { GetOptions, GetResult } from '../../src/store/types.js';

/** A memory store that keeps the signal each attempt was given. */
class SignalKeepingStore extends MemoryStore {
  readonly signals: AbortSignal[] = [];

  protected override doGet(
    key: string,
    options: GetOptions,
    attempt?: Attempt,
  ): Promise<GetResult> {
    if (attempt) this.signals.push(attempt.signal);
    return super.doGet(key, options);
  }
}

describe('request timeouts', () => {
  // A timer left running holds its signal (and what listens to it) for the whole timeout after
  // the request settled: thousands of them in a large commit, 30 s each by default.
  it('end with the request: a settled request is never timed out afterwards', async () => {
    const timeoutMs = 20;
    const store = new SignalKeepingStore({ requestTimeoutMs: timeoutMs });
    await store.put('k', new Uint8Array([1]));
    await store.get('k');
    expect(store.signals).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, timeoutMs * 5));
    expect(store.signals[0]!.aborted).toBe(false);
  });
});

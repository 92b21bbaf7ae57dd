import type { Attempt } from '../store/base-store.js';
import type { GetOptions, GetResult, PutOptions, PutResult } from '../store/types.js';
import { DelegatingStore } from '../store/delegating-store.js';

/**
 * Behaves like an S3 look-alike that accepts `If-None-Match` and `If-Match` but ignores them:
 * every conditional write silently overwrites. s3lite must detect such a store and refuse to
 * let concurrent writers near it.
 */
export class IgnoreConditionalWritesStore extends DelegatingStore {
  protected override doPut(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    attempt: Attempt,
  ): Promise<PutResult> {
    return super.doPut(key, body, { signal: options.signal }, attempt);
  }

  protected override doGet(key: string, options: GetOptions, attempt: Attempt): Promise<GetResult> {
    return super.doGet(key, { range: options.range, signal: options.signal }, attempt);
  }
}

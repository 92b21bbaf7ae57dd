import type { Attempt } from '../store/base-store.js';
import { DelegatingStore } from '../store/delegating-store.js';
import type { ObjectStore, StoreOperation } from '../store/types.js';

/**
 * A store that calls `onPageStored` each time a PUT of an object under `pagesUnder` (a
 * database's `pages/`) succeeds: how an import follows its pages to the store one by one,
 * where the volume hands them over a write buffer at a time (16 MiB by default) and awaits
 * each batch whole.
 */
export class PageStoreWatcher extends DelegatingStore {
  constructor(
    inner: ObjectStore,
    private readonly pagesUnder: string,
    private readonly onPageStored: () => void,
  ) {
    super(inner);
  }

  protected override async around<T>(
    operation: StoreOperation,
    key: string | undefined,
    _attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    const result = await forward();
    if (operation === 'put' && key?.startsWith(this.pagesUnder)) this.onPageStored();
    return result;
  }
}

/**
 * An import killed with SIGKILL half-way: imports the database file `file` into the location
 * through a store that kills the process once `pagePuts` page objects were stored (the
 * small buffer makes the import upload pages long before its commit).
 */
import { importFromFile } from '../../src/serialize/import.js';
import type { Attempt } from '../../src/store/base-store.js';
import { DelegatingStore, type StoreOperation } from '../../src/store/index.js';
import { crash, input, storeAt, type WorkerInput } from './io.js';

const { location, file, pagePuts } = input<WorkerInput & { file: string; pagePuts: number }>();

class KillingStore extends DelegatingStore {
  private pagesStored = 0;

  protected override async around<T>(
    operation: StoreOperation,
    key: string | undefined,
    _attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    const result = await forward();
    if (operation === 'put' && key?.includes('/pages/') && ++this.pagesStored === pagePuts) crash();
    return result;
  }
}

const store = new KillingStore(storeAt(location));
await importFromFile(
  file,
  { store, prefix: location.prefix },
  { overwrite: true, bufferBytes: 65536 },
);
throw new Error(`the import finished before ${pagePuts} page PUTs: the test must kill it sooner`);

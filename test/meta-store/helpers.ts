import { expect } from 'vitest';
import {
  MetaStore,
  type IndexedData,
  type MetaStoreOptions,
  type ResourceMeta,
  type SearchQuery,
} from '../../src/meta-store/index.js';
import type { ObjectStore } from '../../src/store/types.js';
import { PageCache } from '../../src/volume/index.js';
import { createTestArea, type StoreKind, type TestArea } from '../support/stores.js';
import { referenceCount, referenceSearch } from './reference.js';

/** A record with plausible meta fields; `fields` overrides any of them. */
export function meta(
  resourceId: string,
  indexedData: IndexedData = {},
  fields: Partial<ResourceMeta> = {},
): ResourceMeta {
  return {
    resourceId,
    currentRevisionId: `${resourceId}:1`,
    totalRevisionCount: 1,
    createdTime: new Date('2024-03-01T12:00:00Z'),
    updatedTime: new Date('2024-03-02T12:00:00Z'),
    createdBy: 'alice',
    updatedBy: 'alice',
    isDeleted: false,
    schemaVersion: null,
    indexedData,
    ...fields,
  };
}

/** A test area and the metadata stores opened on it, all closed by `cleanup()`. */
export class StoreFixture {
  readonly area: TestArea;
  private readonly stores: MetaStore[] = [];

  constructor(readonly kind: StoreKind) {
    this.area = createTestArea(kind);
  }

  /**
   * A store on the area's prefix, with a connection and a cold page cache of its own; `store`
   * may be another store object on the same data (another "process").
   */
  async open(
    options: MetaStoreOptions = {},
    store: ObjectStore = this.area.store,
  ): Promise<MetaStore> {
    const opened = await MetaStore.open(
      { store, prefix: this.area.prefix },
      { ...options, openOptions: { cache: new PageCache(), ...options.openOptions } },
    );
    this.stores.push(opened);
    return opened;
  }

  async cleanup(): Promise<void> {
    for (const store of this.stores.splice(0)) {
      // A store whose last sync failed on purpose has buffered changes left: drop them.
      await store.discard().catch(() => undefined);
      await store.close();
    }
    await this.area.cleanup();
  }
}

/** Ids of `metas`, in order. */
export const ids = (metas: readonly ResourceMeta[]): string[] => metas.map((m) => m.resourceId);

/**
 * Search and count with `query`, check both against the reference evaluator over `all`, and
 * return the ids found.
 */
export async function checkedSearch(
  store: MetaStore,
  all: readonly ResourceMeta[],
  query: SearchQuery,
): Promise<string[]> {
  const found = ids(await store.searchAll(query));
  expect(found, JSON.stringify(query)).toEqual(ids(referenceSearch(all, query)));
  expect(await store.count(query), `count ${JSON.stringify(query)}`).toBe(
    referenceCount(all, query),
  );
  return found;
}

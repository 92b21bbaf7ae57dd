import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inject } from 'vitest';
import {
  FetchS3Store,
  FileStore,
  MemoryStore,
  S3Store,
  type BaseStoreOptions,
  type ObjectStore,
} from '../../src/store/index.js';

export type StoreKind = 'memory' | 'file' | 's3' | 's3-fetch';

/** Every store kind: each behaviour suite runs once per kind. */
export const STORE_KINDS: StoreKind[] = ['memory', 'file', 's3'];

/**
 * The store kinds of the object-store suites: also S3 over signed fetch (the transport of
 * browsers and Workers), which the layers above reach through the same interface.
 */
export const TRANSPORT_KINDS: StoreKind[] = [...STORE_KINDS, 's3-fetch'];

/** A fresh, empty place to work in: a store and a unique prefix on it. */
export interface TestArea {
  store: ObjectStore;
  prefix: string;
  /** Another store object on the same data (as a second process would have). */
  reopen(): ObjectStore;
  cleanup(): Promise<void>;
}

/** S3Store settings for the test server. */
export function s3Options(): {
  bucket: string;
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  const s3 = inject('s3');
  return {
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
}

export function createTestArea(kind: StoreKind, options: BaseStoreOptions = {}): TestArea {
  const prefix = `t-${randomUUID().slice(0, 8)}/`;
  switch (kind) {
    case 'memory': {
      const store = new MemoryStore(options);
      return { store, prefix, reopen: () => store, cleanup: () => store.close() };
    }
    case 'file': {
      const root = mkdtempSync(path.join(tmpdir(), 's3lite-test-'));
      const store = new FileStore({ ...options, root });
      return {
        store,
        prefix,
        reopen: () => new FileStore({ ...options, root }),
        cleanup: async () => {
          await store.close();
          rmSync(root, { recursive: true, force: true });
        },
      };
    }
    case 's3':
    case 's3-fetch': {
      const make = () =>
        kind === 's3'
          ? new S3Store({ ...s3Options(), ...options })
          : new FetchS3Store({ ...s3Options(), ...options });
      const store = make();
      return {
        store,
        prefix,
        reopen: make,
        cleanup: async () => {
          const keys: string[] = [];
          for await (const object of store.listAll(prefix)) keys.push(object.key);
          await store.deleteMany(keys);
          await store.close();
        },
      };
    }
  }
}

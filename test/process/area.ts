import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { inject } from 'vitest';
import { open, type Database, type OpenOptions } from '../../src/db/index.js';
import { FileStore, S3Store, type ObjectStore } from '../../src/store/index.js';
import { PageCache } from '../../src/volume/index.js';
import { s3Options } from '../support/stores.js';
import { ScriptProcess } from '../support/script-process.js';
import type { Location } from '../workers/io.js';

/**
 * The stores that several processes can share. MemoryStore is not one: its objects live in
 * the memory of one process.
 */
export type SharedStoreKind = 'file' | 's3';

/** A fresh database location that this process and its workers all reach. */
export interface ProcessArea {
  location: Location;
  /** This process's own store on the location. */
  store: ObjectStore;
  /** A connection of this process, with a cache of its own (pages come from the store). */
  connect(options?: OpenOptions): Promise<Database>;
  /** Start a worker (a script of test/workers/, by its name) on the location. */
  start(worker: string, input?: object): ScriptProcess;
  /** Keys stored under the prefix that start with `under` (such as 'pages/'). */
  keys(under: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

export function createProcessArea(kind: SharedStoreKind): ProcessArea {
  const prefix = `p-${randomUUID().slice(0, 8)}`;
  const connections: Database[] = [];
  // This area's workers only: tests run concurrently, and one test's cleanup must not kill
  // the workers of another that is still running.
  const workers: ScriptProcess[] = [];
  let location: Location;
  let store: ObjectStore;
  let env: NodeJS.ProcessEnv = {};
  let removeData: () => Promise<void>;
  if (kind === 'file') {
    const root = mkdtempSync(path.join(tmpdir(), 's3lite-process-'));
    location = { kind, root, prefix };
    store = new FileStore({ root });
    removeData = async () => rmSync(root, { recursive: true, force: true });
  } else {
    location = { kind, prefix };
    store = new S3Store(s3Options());
    // The test process gets the server's settings from vitest; its workers from their env.
    const s3 = inject('s3');
    env = {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    removeData = async () => {
      const keys: string[] = [];
      for await (const object of store.listAll(`${prefix}/`)) keys.push(object.key);
      await store.deleteMany(keys);
    };
  }
  return {
    location,
    store,
    connect: async (options = {}) => {
      const db = await open({ store, prefix }, { cache: new PageCache(), ...options });
      connections.push(db);
      return db;
    },
    start: (worker, input = {}) => {
      const started = new ScriptProcess(
        `worker ${worker}`,
        `test/workers/${worker}.ts`,
        { location, ...input },
        { env },
      );
      workers.push(started);
      return started;
    },
    keys: async (under) => {
      const keys: string[] = [];
      for await (const object of store.listAll(`${prefix}/${under}`)) keys.push(object.key);
      return keys;
    },
    cleanup: async () => {
      await Promise.all(workers.splice(0).map((worker) => worker.kill()));
      for (const db of connections.splice(0)) await db.close();
      await removeData();
      await store.close();
    },
  };
}

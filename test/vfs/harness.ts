import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as SQLite from '@journeyapps/wa-sqlite';
import SQLiteESMFactory from '@journeyapps/wa-sqlite/dist/wa-sqlite-async.mjs';
import type { ObjectStore } from '../../src/store/types.js';
import { VolumeFile } from '../../src/layouts/s3lite/volume-file.js';
import { S3liteVfs, VFS_NAME } from '../../src/vfs/index.js';
import { PageCache, Volume, type VolumeOptions } from '../../src/volume/index.js';

/**
 * The VFS driven through wa-sqlite's own API, without src/db: one module per test file,
 * calls made strictly one after another (as src/db's mutex would).
 */
export interface Harness {
  sqlite3: SQLiteAPI;
  vfs: S3liteVfs;
}

export async function loadHarness(): Promise<Harness> {
  const wasm = createRequire(import.meta.url).resolve(
    '@journeyapps/wa-sqlite/dist/wa-sqlite-async.wasm',
  );
  const module = await SQLiteESMFactory({ wasmBinary: readFileSync(wasm) });
  const sqlite3 = SQLite.Factory(module);
  const vfs = new S3liteVfs(module);
  sqlite3.vfs_register(vfs, false);
  return { sqlite3, vfs };
}

/** One SQLite connection on its own volume (with its own page cache). */
export class RawConnection {
  private constructor(
    private readonly harness: Harness,
    readonly handle: number,
    readonly file: VolumeFile,
    readonly volume: Volume,
    private readonly name: string,
  ) {}

  static async open(
    harness: Harness,
    store: ObjectStore,
    prefix: string,
    options: VolumeOptions = {},
  ): Promise<RawConnection> {
    const volume = await Volume.open(store, prefix, { cache: new PageCache(), ...options });
    const file = new VolumeFile(volume);
    const name = harness.vfs.attach(file);
    const handle = await harness.sqlite3.open_v2(
      name,
      SQLite.SQLITE_OPEN_CREATE | SQLite.SQLITE_OPEN_READWRITE,
      VFS_NAME,
    );
    return new RawConnection(harness, handle, file, volume, name);
  }

  /** Run a script; rows of every statement, as arrays. */
  async exec(sql: string): Promise<unknown[][]> {
    const rows: unknown[][] = [];
    this.file.clearError();
    await this.harness.sqlite3.exec(this.handle, sql, (row) => {
      rows.push(row);
    });
    return rows;
  }

  /** The single value of a one-row, one-column query. */
  async value(sql: string): Promise<unknown> {
    return (await this.exec(sql))[0]?.[0];
  }

  /** The SQLite result code `sql` fails with. */
  async failureCode(sql: string): Promise<number> {
    try {
      await this.exec(sql);
    } catch (error) {
      return (error as { code: number }).code;
    }
    throw new Error(`expected "${sql}" to fail`);
  }

  get commits(): number {
    return this.volume.stats().commits;
  }

  async close(): Promise<void> {
    await this.harness.sqlite3.close(this.handle);
    this.harness.vfs.detach(this.name);
    await this.volume.close();
  }
}

/** SQL that inserts `n` rows of 1 KB into t(b): more pages than a cache of 10 holds. */
export const insertRows = (n: number): string =>
  `INSERT INTO t(b) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n}) ` +
  `SELECT randomblob(1000) FROM c`;

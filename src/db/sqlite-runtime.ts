import * as SQLite from '@journeyapps/wa-sqlite';
import SQLiteESMFactory from '@journeyapps/wa-sqlite/dist/wa-sqlite-async.mjs';
import { sqliteModuleOptions } from '../platform/host.js';
import pLimit, { type LimitFunction } from 'p-limit';
import { S3liteVfs } from '../vfs/index.js';

/** Exports of the Emscripten module used directly, where the wa-sqlite API falls short. */
export interface SqliteModule {
  /** Low 32 bits of the rowid; the high 32 bits are then in `getTempRet0()`. */
  _sqlite3_last_insert_rowid(db: number): number;
  _sqlite3_extended_result_codes(db: number, onoff: number): number;
  getTempRet0(): number;
  /*
   * Text with its byte length: wa-sqlite's bind_text and column_text pass C strings, which end
   * at the first U+0000, so a string holding one would be cut short.
   */
  _sqlite3_malloc(bytes: number): number;
  /** sqlite3_free's address, the destructor SQLite calls on bound text it no longer needs. */
  _getSqliteFree(): number;
  _sqlite3_bind_text(stmt: number, i: number, text: number, bytes: number, free: number): number;
  _sqlite3_column_text(stmt: number, i: number): number;
  _sqlite3_column_bytes(stmt: number, i: number): number;
  readonly HEAPU8: Uint8Array;
}

/** One wa-sqlite module with the s3lite VFS registered, shared by the connections bound to it. */
export interface SqliteRuntime {
  readonly sqlite3: SQLiteAPI;
  readonly module: SqliteModule;
  readonly vfs: S3liteVfs;
  /**
   * Runs calls into the module one at a time, in the order they asked. The Asyncify build of
   * SQLite can have only one call in progress per module (a second call while one is
   * suspended waiting for I/O would corrupt its unwound stack), so every entry into the module
   * goes through it.
   */
  readonly mutex: LimitFunction;
}

/** Load one more wa-sqlite module (an engine: see engine-pool.ts) with the VFS registered. */
export async function loadSqliteRuntime(): Promise<SqliteRuntime> {
  // The Asyncify build, which runs everywhere (JSPI is not in Node 20); the runtime's platform
  // module says where its .wasm comes from.
  const module = (await SQLiteESMFactory(await sqliteModuleOptions())) as SqliteModule;
  const sqlite3 = SQLite.Factory(module);
  const vfs = new S3liteVfs(module);
  sqlite3.vfs_register(vfs, false);
  return { sqlite3, module, vfs, mutex: pLimit(1) };
}

import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as SQLite from '@journeyapps/wa-sqlite';
import SQLiteESMFactory from '@journeyapps/wa-sqlite/dist/wa-sqlite.mjs';
import { FacadeVFS } from '@journeyapps/wa-sqlite/src/FacadeVFS.js';

/**
 * The reference the blocks layout is compared with: the same SQLite build as s3lite's (the
 * synchronous wa-sqlite module of the same package) working on a regular local file through
 * a plain file-system VFS, so the bytes differ only if s3lite's storage changes them.
 */
class LocalFileVfs extends FacadeVFS {
  private readonly open = new Map<number, { fd: number; file: string; temporary: boolean }>();

  constructor(
    module: unknown,
    private readonly dir: string,
  ) {
    super('local-files', module);
  }

  override jOpen(filename: string | null, fileId: number, flags: number, out: DataView): number {
    const file = path.join(this.dir, filename ?? `temp-${fileId}`);
    const create = (flags & SQLite.SQLITE_OPEN_CREATE) !== 0;
    if (!existsSync(file) && !create) return SQLite.SQLITE_CANTOPEN;
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+');
    const temporary = (flags & SQLite.SQLITE_OPEN_DELETEONCLOSE) !== 0 || filename === null;
    this.open.set(fileId, { fd, file, temporary });
    out.setInt32(0, flags, true);
    return SQLite.SQLITE_OK;
  }

  override jClose(fileId: number): number {
    const entry = this.open.get(fileId);
    if (entry) {
      closeSync(entry.fd);
      if (entry.temporary) rmSync(entry.file, { force: true });
    }
    this.open.delete(fileId);
    return SQLite.SQLITE_OK;
  }

  override jDelete(filename: string): number {
    rmSync(path.join(this.dir, filename), { force: true });
    return SQLite.SQLITE_OK;
  }

  override jAccess(filename: string, _flags: number, out: DataView): number {
    out.setInt32(0, existsSync(path.join(this.dir, filename)) ? 1 : 0, true);
    return SQLite.SQLITE_OK;
  }

  override jRead(fileId: number, into: Uint8Array, offset: number): number {
    // Pointer arguments are proxies over WebAssembly memory; subarray() is a real view.
    const buffer = into.subarray();
    const n = readSync(this.entry(fileId).fd, buffer, 0, buffer.byteLength, offset);
    if (n === buffer.byteLength) return SQLite.SQLITE_OK;
    buffer.fill(0, n);
    return SQLite.SQLITE_IOERR_SHORT_READ;
  }

  override jWrite(fileId: number, data: Uint8Array, offset: number): number {
    writeSync(this.entry(fileId).fd, data.subarray(), 0, data.byteLength, offset);
    return SQLite.SQLITE_OK;
  }

  override jTruncate(fileId: number, size: number): number {
    ftruncateSync(this.entry(fileId).fd, size);
    return SQLite.SQLITE_OK;
  }

  override jSync(): number {
    return SQLite.SQLITE_OK;
  }

  override jFileSize(fileId: number, out: DataView): number {
    out.setBigInt64(0, BigInt(fstatSync(this.entry(fileId).fd).size), true);
    return SQLite.SQLITE_OK;
  }

  private entry(fileId: number): { fd: number; file: string } {
    const entry = this.open.get(fileId);
    if (!entry) throw new Error(`file ${fileId} is not open`);
    return entry;
  }
}

let loaded: Promise<SQLiteAPI> | undefined;

/** The synchronous wa-sqlite module with the local-file VFS as its default. */
function sqlite(dir: string): Promise<SQLiteAPI> {
  loaded ??= (async () => {
    const wasm = createRequire(import.meta.url).resolve(
      '@journeyapps/wa-sqlite/dist/wa-sqlite.wasm',
    );
    const module = await SQLiteESMFactory({ wasmBinary: readFileSync(wasm) });
    const api = SQLite.Factory(module);
    api.vfs_register(new LocalFileVfs(module, dir), true);
    return api;
  })();
  return loaded;
}

/**
 * Run each script of `scripts` as its own `exec` on the local file `dir/name` (created when
 * missing) and return the file's bytes afterwards. One directory per test file.
 */
export async function runOnLocalFile(
  dir: string,
  name: string,
  scripts: string[],
): Promise<Buffer> {
  const api = await sqlite(dir);
  const db = await api.open_v2(name);
  try {
    for (const script of scripts) await api.exec(db, script);
  } finally {
    await api.close(db);
  }
  return readFileSync(path.join(dir, name));
}

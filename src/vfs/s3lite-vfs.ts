import * as SQLite from '@journeyapps/wa-sqlite';
import { FacadeVFS, type WasmModule } from '@journeyapps/wa-sqlite/src/FacadeVFS.js';
import {
  S3LITE_DEVICE_CHARACTERISTICS,
  type MainFile,
  type StoredJournal,
  type TransientFile,
} from './main-file.js';
import { MemoryFile } from './memory-file.js';
import { ViewFile, type ByteView } from './view-file.js';

/** The name the VFS is registered under; pass it to `sqlite3.open_v2`. */
export const VFS_NAME = 's3lite';

/** SQLite names a database's rollback journal after it. */
const JOURNAL_SUFFIX = '-journal';

/** One open file: a main database file, its stored journal, or a file in memory. */
type Handle =
  | { kind: 'main'; file: MainFile }
  | { kind: 'journal'; file: StoredJournal }
  | { kind: 'memory'; file: TransientFile };

/**
 * The wa-sqlite VFS of s3lite (Asyncify build). A main database file is a {@link MainFile}
 * — the file of one of the layouts in src/layouts — attached under a unique file name before
 * SQLite opens it. A rollback journal is stored beside its database when that file has a
 * {@link StoredJournal} (blocks layout), and made by the file when it has its own way of
 * keeping one in memory (`createJournal`: the s3lite format leaves page images in the pinned
 * commit, so that a transaction of any size needs little memory for it). Every other file
 * (statement journals, temporary databases) lives in memory while open.
 *
 * Methods that may wait for the store are declared `async`: FacadeVFS treats exactly those
 * as asynchronous. One instance serves every connection of one wa-sqlite module.
 */
export class S3liteVfs extends FacadeVFS {
  private readonly attached = new Map<string, MainFile>();
  private readonly handles = new Map<number, Handle>();
  private nextFileNo = 1;

  constructor(module: unknown) {
    super(VFS_NAME, module);
  }

  /** Make a database's main file openable by SQLite under a fresh file name; returns the name. */
  attach(file: MainFile): string {
    const name = `s3lite-${this.nextFileNo++}.db`;
    this.attached.set(name, file);
    return name;
  }

  /** Make `view` openable by SQLite, read-only, under a fresh file name (see {@link ViewFile}). */
  attachView(view: ByteView, description: string): { name: string; file: MainFile } {
    const name = `s3lite-${this.nextFileNo++}.db`;
    const file = new ViewFile(view, `${description} is opened read-only, to be checked`);
    this.attached.set(name, file);
    return { name, file };
  }

  /** Forget a file name given by {@link attach} (after SQLite closed it). */
  detach(name: string): void {
    this.attached.delete(name);
  }

  override async jOpen(
    filename: string | null,
    fileId: number,
    flags: number,
    pOutFlags: DataView,
  ): Promise<number> {
    if (flags & SQLite.SQLITE_OPEN_MAIN_DB) {
      // Only attached databases can be opened (not an ATTACH of some other name), once each.
      const file = filename === null ? undefined : this.attached.get(filename);
      if (!file || file.isOpen) return SQLite.SQLITE_CANTOPEN;
      file.isOpen = true;
      this.handles.set(fileId, { kind: 'main', file });
    } else {
      const journal = flags & SQLite.SQLITE_OPEN_MAIN_JOURNAL ? this.journal(filename) : undefined;
      if (journal) {
        if (journal.isOpen) return SQLite.SQLITE_CANTOPEN;
        const code = await journal.open();
        if (code !== SQLite.SQLITE_OK) return code;
        this.handles.set(fileId, { kind: 'journal', file: journal });
      } else {
        const main = flags & SQLite.SQLITE_OPEN_MAIN_JOURNAL ? this.mainOf(filename) : undefined;
        const file = main?.createJournal?.() ?? new MemoryFile();
        this.handles.set(fileId, { kind: 'memory', file });
      }
    }
    pOutFlags.setInt32(0, flags, true);
    return SQLite.SQLITE_OK;
  }

  override jClose(fileId: number): number {
    const handle = this.handles.get(fileId);
    if (handle?.kind === 'main' || handle?.kind === 'journal') handle.file.isOpen = false;
    this.handles.delete(fileId);
    return SQLite.SQLITE_OK;
  }

  /** A stored journal is deleted from the store; memory files vanished when closed. */
  override async jDelete(filename: string): Promise<number> {
    return (await this.journal(filename)?.delete()) ?? SQLite.SQLITE_OK;
  }

  /**
   * Attached databases exist, and stored journals when they do. A journal in memory never
   * exists between transactions, so SQLite never finds it "hot": a file that keeps its
   * journal in memory never holds a half-written transaction that would need one.
   */
  override jAccess(filename: string, _flags: number, pResOut: DataView): number {
    const exists = this.attached.has(filename) || (this.journal(filename)?.exists ?? false);
    pResOut.setInt32(0, exists ? 1 : 0, true);
    return SQLite.SQLITE_OK;
  }

  override async jRead(fileId: number, pData: Uint8Array, iOffset: number): Promise<number> {
    const handle = this.handles.get(fileId);
    if (!handle) return SQLite.SQLITE_IOERR_READ;
    if (handle.kind === 'main' || handle.kind === 'journal')
      return handle.file.read(pData, iOffset);
    const n = await handle.file.read(pData.subarray(), iOffset);
    if (n === pData.byteLength) return SQLite.SQLITE_OK;
    pData.fill(0, n);
    return SQLite.SQLITE_IOERR_SHORT_READ;
  }

  override async jWrite(fileId: number, pData: Uint8Array, iOffset: number): Promise<number> {
    const handle = this.handles.get(fileId);
    if (!handle) return SQLite.SQLITE_IOERR_WRITE;
    // A view of SQLite's own buffer (wa-sqlite hands over a proxy of one), uncopied: every
    // file copies what it keeps (a write transaction into reused memory, a rollback journal as
    // a reference to the pinned commit's page), and a copy here would be garbage per write.
    const data = pData.subarray();
    if (handle.kind === 'main' || handle.kind === 'journal')
      return handle.file.write(data, iOffset);
    await handle.file.write(data, iOffset);
    return SQLite.SQLITE_OK;
  }

  override async jTruncate(fileId: number, size: number): Promise<number> {
    const handle = this.handles.get(fileId);
    if (handle?.kind === 'memory') {
      await handle.file.truncate(size);
      return SQLite.SQLITE_OK;
    }
    return handle ? handle.file.truncate(size) : SQLite.SQLITE_OK;
  }

  override async jSync(fileId: number): Promise<number> {
    const handle = this.handles.get(fileId);
    return handle?.kind === 'main' || handle?.kind === 'journal'
      ? handle.file.sync()
      : SQLite.SQLITE_OK;
  }

  override jFileSize(fileId: number, pSize64: DataView): number {
    pSize64.setBigInt64(0, BigInt(this.handles.get(fileId)?.file.size ?? 0), true);
    return SQLite.SQLITE_OK;
  }

  override async jLock(fileId: number, lockType: number): Promise<number> {
    const handle = this.handles.get(fileId);
    return handle?.kind === 'main' ? handle.file.lock(lockType) : SQLite.SQLITE_OK;
  }

  override async jUnlock(fileId: number, lockType: number): Promise<number> {
    const handle = this.handles.get(fileId);
    return handle?.kind === 'main' ? handle.file.unlock(lockType) : SQLite.SQLITE_OK;
  }

  override jCheckReservedLock(fileId: number, pResOut: DataView): number {
    const handle = this.handles.get(fileId);
    pResOut.setInt32(0, handle?.kind === 'main' && handle.file.reservedByOther() ? 1 : 0, true);
    return SQLite.SQLITE_OK;
  }

  override async jFileControl(fileId: number, op: number, pArg: DataView): Promise<number> {
    const handle = this.handles.get(fileId);
    if (handle?.kind !== 'main') return SQLite.SQLITE_NOTFOUND;
    if (op === SQLite.SQLITE_FCNTL_PRAGMA) return this.pragma(handle.file, pArg);
    return handle.file.fileControl(op);
  }

  /**
   * A main file says what it promises; a stored journal promises nothing. Files in memory
   * answer as s3lite files always have: nothing is torn or reordered in memory.
   */
  override jDeviceCharacteristics(fileId: number): number {
    const handle = this.handles.get(fileId);
    if (handle?.kind === 'main') return handle.file.deviceCharacteristics;
    return handle?.kind === 'journal' ? 0 : S3LITE_DEVICE_CHARACTERISTICS;
  }

  /** The attached main file whose rollback journal `filename` names, if it names one. */
  private mainOf(filename: string | null): MainFile | undefined {
    if (!filename?.endsWith(JOURNAL_SUFFIX)) return undefined;
    return this.attached.get(filename.slice(0, -JOURNAL_SUFFIX.length));
  }

  /** The stored journal that `filename` names, if it names one. */
  private journal(filename: string | null): StoredJournal | undefined {
    return this.mainOf(filename)?.journal;
  }

  /**
   * Every PRAGMA is offered to the VFS first (`pArg` points at `char *[3]`: result or error
   * message, name, value). The main file may refuse it; everything else is SQLite's to handle.
   */
  private pragma(file: MainFile, pArg: DataView): number {
    const module = this._module;
    const name = module.UTF8ToString(pArg.getUint32(4, true)).toLowerCase();
    const valuePointer = pArg.getUint32(8, true);
    const value = valuePointer === 0 ? '' : module.UTF8ToString(valuePointer).toLowerCase();
    const refusal = file.refusePragma(name, value);
    if (refusal === undefined) return SQLite.SQLITE_NOTFOUND;
    setPragmaMessage(module, pArg.byteOffset, refusal);
    return SQLite.SQLITE_ERROR;
  }
}

/** Hand SQLite an error message for a PRAGMA, in memory it will free with sqlite3_free. */
function setPragmaMessage(module: WasmModule, slotAddress: number, message: string): void {
  const bytes = new TextEncoder().encode(message);
  const pointer = module._sqlite3_malloc(bytes.byteLength + 1);
  // The allocation may grow WebAssembly memory, so take HEAPU8 afresh after it.
  module.HEAPU8.set(bytes, pointer);
  module.HEAPU8[pointer + bytes.byteLength] = 0;
  new DataView(module.HEAPU8.buffer).setUint32(slotAddress, pointer, true);
}

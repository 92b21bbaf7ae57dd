import * as SQLite from '@journeyapps/wa-sqlite';
import { FacadeVFS, type WasmModule } from '@journeyapps/wa-sqlite/src/FacadeVFS.js';
import type { Volume } from '../volume/volume.js';
import { MemoryFile } from './memory-file.js';
import { VolumeFile } from './volume-file.js';

/** The name the VFS is registered under; pass it to `sqlite3.open_v2`. */
export const VFS_NAME = 's3lite';

/**
 * What s3lite files can promise. BATCH_ATOMIC: a transaction's pages become visible all at
 * once (SQLite then brackets an ordinary commit with BEGIN/COMMIT_ATOMIC_WRITE and keeps its
 * journal in memory). UNDELETABLE_WHEN_OPEN: no journal is deleted behind an open handle.
 * SAFE_APPEND and SEQUENTIAL: journals live in memory, where nothing is torn or reordered,
 * so SQLite may skip the journal syncs and header rewrites that protect against that.
 */
const DEVICE_CHARACTERISTICS =
  SQLite.SQLITE_IOCAP_BATCH_ATOMIC |
  SQLite.SQLITE_IOCAP_UNDELETABLE_WHEN_OPEN |
  SQLite.SQLITE_IOCAP_SAFE_APPEND |
  SQLite.SQLITE_IOCAP_SEQUENTIAL;

/**
 * The wa-sqlite VFS of s3lite (Asyncify build). A main database file is a {@link Volume},
 * attached under a unique file name before SQLite opens it; every other file (rollback and
 * statement journals, temporary databases) lives in memory while open.
 *
 * Methods that may wait for the store are declared `async`: FacadeVFS treats exactly those
 * as asynchronous. One instance serves every connection of one wa-sqlite module.
 */
export class S3liteVfs extends FacadeVFS {
  private readonly attached = new Map<string, VolumeFile>();
  private readonly handles = new Map<number, VolumeFile | MemoryFile>();
  private nextFileNo = 1;

  constructor(module: unknown) {
    super(VFS_NAME, module);
  }

  /** Make `volume` openable by SQLite under a fresh file name; returns the name and its file. */
  attach(volume: Volume): { name: string; file: VolumeFile } {
    const name = `s3lite-${this.nextFileNo++}.db`;
    const file = new VolumeFile(volume);
    this.attached.set(name, file);
    return { name, file };
  }

  /** Forget a file name given by {@link attach} (after SQLite closed it). */
  detach(name: string): void {
    this.attached.delete(name);
  }

  override jOpen(
    filename: string | null,
    fileId: number,
    flags: number,
    pOutFlags: DataView,
  ): number {
    if (flags & SQLite.SQLITE_OPEN_MAIN_DB) {
      // Only attached volumes can be opened (not an ATTACH of some other name), once each.
      const file = filename === null ? undefined : this.attached.get(filename);
      if (!file || file.isOpen) return SQLite.SQLITE_CANTOPEN;
      file.isOpen = true;
      this.handles.set(fileId, file);
    } else {
      this.handles.set(fileId, new MemoryFile());
    }
    pOutFlags.setInt32(0, flags, true);
    return SQLite.SQLITE_OK;
  }

  override jClose(fileId: number): number {
    const file = this.handles.get(fileId);
    if (file instanceof VolumeFile) file.isOpen = false;
    this.handles.delete(fileId);
    return SQLite.SQLITE_OK;
  }

  /** Memory files vanish when closed, so there is nothing left to delete. */
  override jDelete(): number {
    return SQLite.SQLITE_OK;
  }

  /**
   * Only attached databases exist. In particular no journal ever exists between
   * transactions, so SQLite never finds a "hot" journal to play back: the volume never holds
   * a half-written transaction that would need one.
   */
  override jAccess(filename: string, _flags: number, pResOut: DataView): number {
    pResOut.setInt32(0, this.attached.has(filename) ? 1 : 0, true);
    return SQLite.SQLITE_OK;
  }

  override async jRead(fileId: number, pData: Uint8Array, iOffset: number): Promise<number> {
    const file = this.handles.get(fileId);
    if (file instanceof VolumeFile) return file.read(pData, iOffset);
    if (!file) return SQLite.SQLITE_IOERR_READ;
    const n = file.read(pData.subarray(), iOffset);
    if (n === pData.byteLength) return SQLite.SQLITE_OK;
    pData.fill(0, n);
    return SQLite.SQLITE_IOERR_SHORT_READ;
  }

  override async jWrite(fileId: number, pData: Uint8Array, iOffset: number): Promise<number> {
    const file = this.handles.get(fileId);
    // A copy: the bytes must not change under the volume while it awaits the store.
    if (file instanceof VolumeFile) return file.write(pData.slice(), iOffset);
    if (!file) return SQLite.SQLITE_IOERR_WRITE;
    file.write(pData.subarray(), iOffset);
    return SQLite.SQLITE_OK;
  }

  override async jTruncate(fileId: number, size: number): Promise<number> {
    const file = this.handles.get(fileId);
    if (file instanceof VolumeFile) return file.truncate(size);
    file?.truncate(size);
    return SQLite.SQLITE_OK;
  }

  override async jSync(fileId: number): Promise<number> {
    const file = this.handles.get(fileId);
    return file instanceof VolumeFile ? file.commitPoint() : SQLite.SQLITE_OK;
  }

  override jFileSize(fileId: number, pSize64: DataView): number {
    const file = this.handles.get(fileId);
    pSize64.setBigInt64(0, BigInt(file?.size ?? 0), true);
    return SQLite.SQLITE_OK;
  }

  override async jLock(fileId: number, lockType: number): Promise<number> {
    const file = this.handles.get(fileId);
    return file instanceof VolumeFile ? file.lock(lockType) : SQLite.SQLITE_OK;
  }

  override async jUnlock(fileId: number, lockType: number): Promise<number> {
    const file = this.handles.get(fileId);
    return file instanceof VolumeFile ? file.unlock(lockType) : SQLite.SQLITE_OK;
  }

  override async jFileControl(fileId: number, op: number, pArg: DataView): Promise<number> {
    const file = this.handles.get(fileId);
    if (!(file instanceof VolumeFile)) return SQLite.SQLITE_NOTFOUND;
    switch (op) {
      case SQLite.SQLITE_FCNTL_PRAGMA:
        return this.pragma(pArg);
      case SQLite.SQLITE_FCNTL_BEGIN_ATOMIC_WRITE:
        return SQLite.SQLITE_OK;
      case SQLite.SQLITE_FCNTL_COMMIT_ATOMIC_WRITE:
      case SQLite.SQLITE_FCNTL_SYNC:
        return file.commitPoint();
      case SQLite.SQLITE_FCNTL_ROLLBACK_ATOMIC_WRITE:
        return file.abandonBatch();
      default:
        return SQLite.SQLITE_NOTFOUND;
    }
  }

  override jDeviceCharacteristics(): number {
    return DEVICE_CHARACTERISTICS;
  }

  /**
   * Every PRAGMA is offered to the VFS first (`pArg` points at `char *[3]`: result or error
   * message, name, value). `locking_mode=EXCLUSIVE` is refused: SQLite would then hold its
   * lock (and the snapshot) forever and increment the change counter only once, which the
   * commit rule of {@link VolumeFile} relies on. Everything else is SQLite's to handle.
   */
  private pragma(pArg: DataView): number {
    const module = this._module;
    const name = module.UTF8ToString(pArg.getUint32(4, true)).toLowerCase();
    const valuePointer = pArg.getUint32(8, true);
    const value = valuePointer === 0 ? '' : module.UTF8ToString(valuePointer).toLowerCase();
    if (name !== 'locking_mode' || value !== 'exclusive') return SQLite.SQLITE_NOTFOUND;
    setPragmaMessage(
      module,
      pArg.byteOffset,
      's3lite does not support locking_mode=EXCLUSIVE: a connection must release its lock ' +
        'to see other writers’ commits',
    );
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

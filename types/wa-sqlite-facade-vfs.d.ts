/**
 * Types for the parts of `@journeyapps/wa-sqlite`'s FacadeVFS that s3lite uses (the package
 * ships no declarations for it). Pointer arguments arrive as views over WebAssembly memory:
 * `Uint8Array`-like buffers and little-endian `DataView`-like cells.
 */
declare module '@journeyapps/wa-sqlite/src/FacadeVFS.js' {
  import { Base } from '@journeyapps/wa-sqlite/src/VFS.js';

  /** The Emscripten module members a VFS reaches for. */
  export interface WasmModule {
    HEAPU8: Uint8Array;
    UTF8ToString(pointer: number): string;
    _sqlite3_malloc(bytes: number): number;
  }

  /** Base of a VFS whose `j…` methods take JavaScript-friendly arguments. */
  export class FacadeVFS extends Base {
    constructor(name: string, module: unknown);
    _module: WasmModule;
    jOpen(
      filename: string | null,
      fileId: number,
      flags: number,
      pOutFlags: DataView,
    ): number | Promise<number>;
    jDelete(filename: string, syncDir: number): number | Promise<number>;
    jAccess(filename: string, flags: number, pResOut: DataView): number | Promise<number>;
    jClose(fileId: number): number | Promise<number>;
    jRead(fileId: number, pData: Uint8Array, iOffset: number): number | Promise<number>;
    jWrite(fileId: number, pData: Uint8Array, iOffset: number): number | Promise<number>;
    jTruncate(fileId: number, size: number): number | Promise<number>;
    jSync(fileId: number, flags: number): number | Promise<number>;
    jFileSize(fileId: number, pSize64: DataView): number | Promise<number>;
    jLock(fileId: number, lockType: number): number | Promise<number>;
    jUnlock(fileId: number, lockType: number): number | Promise<number>;
    jCheckReservedLock(fileId: number, pResOut: DataView): number | Promise<number>;
    jFileControl(fileId: number, op: number, pArg: DataView): number | Promise<number>;
    jSectorSize(fileId: number): number | Promise<number>;
    jDeviceCharacteristics(fileId: number): number | Promise<number>;
  }
}

/**
 * The standard-JavaScript stand-in for `./host.js` in browsers and Workers (see there): the
 * package's `browser` field points bundlers here. Same exports, nothing from Node.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { deflateSync, Inflate } from 'fflate';
import { toHex } from '../bytes.js';
import { wasm } from './wasm.js';

/** The CRC-32 table of the zlib polynomial (reflected 0xEDB88320). */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (the zlib polynomial) of `data`. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Raw DEFLATE (no zlib or gzip wrapper). */
export function deflateRaw(data: Uint8Array): Uint8Array {
  return deflateSync(data);
}

/**
 * Inflate raw DEFLATE. With `limit`, an output that would grow past it throws
 * {@link InflateLimitError} before it is all inflated (data read from a bucket is untrusted).
 */
export function inflateRaw(data: Uint8Array, limit?: number): Uint8Array {
  return inflateStream(data, true, limit);
}

/** What the beginning `data` of a raw DEFLATE stream inflates to, so far. */
export function inflateRawPrefix(data: Uint8Array): Uint8Array {
  return inflateStream(data, false);
}

/** A stream inflates to more than the limit its reader set. */
export class InflateLimitError extends RangeError {
  constructor(readonly limit: number) {
    super(`inflates to more than ${limit} bytes`);
  }
}

function inflateStream(data: Uint8Array, final: boolean, limit = Infinity): Uint8Array {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const inflater = new Inflate((chunk) => {
    length += chunk.byteLength;
    if (length > limit) throw new InflateLimitError(limit);
    chunks.push(chunk);
  });
  inflater.push(data, final);
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Hex digest of `data`. */
export function digestHex(algorithm: 'md5' | 'sha256', data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return toHex(algorithm === 'md5' ? md5(bytes) : sha256(bytes));
}

/**
 * Browsers and Workers have no AsyncLocalStorage (nor yet AsyncContext): this scope cannot
 * follow a call chain through `await`, and says so; callers pass what it would have carried.
 */
export class AsyncScope<T> {
  static readonly tracked = false;

  run<R>(_value: T, fn: () => R): R {
    return fn();
  }

  getStore(): T | undefined {
    return undefined;
  }
}

/**
 * Where wa-sqlite's .wasm comes from (see {@link setSqliteWasm}): its URL, its bytes, or a
 * compiled `WebAssembly.Module` (any other object is taken for one).
 */
export type SqliteWasmSource = URL | string | ArrayBuffer | Uint8Array | object;

let wasmSource: SqliteWasmSource | undefined;

/**
 * Tell s3lite where wa-sqlite's `wa-sqlite-async.wasm` is, before the first `open()`:
 * a compiled `WebAssembly.Module` (Cloudflare Workers: `import wasm from
 * '@journeyapps/wa-sqlite/dist/wa-sqlite-async.wasm'`), its bytes, or its URL. Without it,
 * wa-sqlite fetches `wa-sqlite-async.wasm` beside the script that contains it, which is
 * where Vite puts it; after esbuild, copy the file beside the bundle.
 */
export function setSqliteWasm(source: SqliteWasmSource): void {
  wasmSource = source;
}

/** Emscripten settings for loading wa-sqlite's Asyncify build from {@link setSqliteWasm}. */
export function sqliteModuleOptions(): Promise<Record<string, unknown>> {
  const source = wasmSource;
  if (source === undefined) return Promise.resolve({});
  if (source instanceof URL || typeof source === 'string') {
    return Promise.resolve({ locateFile: () => String(source) });
  }
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
    return Promise.resolve({ wasmBinary: source });
  }
  return Promise.resolve({
    // Emscripten's hook for a module compiled elsewhere (Workers compile .wasm at deploy).
    instantiateWasm(imports: object, done: (instance: object, module: object) => void) {
      void wasm.instantiate(source, imports).then((instance) => done(instance, source));
      return {};
    },
  });
}

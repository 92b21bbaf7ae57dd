/**
 * What s3lite takes from its host runtime, here from Node's built-ins (Node, Bun and Deno
 * have them). Bundlers building for a browser or a Worker swap this module for
 * `./web.js` (the package's `browser` field), which has the same exports in standard
 * JavaScript: nothing else outside the Node-only entry points imports `node:*`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { wasm } from './wasm.js';
import { constants, crc32 as zlibCrc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/** CRC-32 (the zlib polynomial) of `data`. */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data) >>> 0;
}

/** Raw DEFLATE (no zlib or gzip wrapper). */
export function deflateRaw(data: Uint8Array): Uint8Array {
  return deflateRawSync(data);
}

/**
 * Inflate raw DEFLATE. With `limit`, an output that would grow past it throws
 * {@link InflateLimitError} before it is all inflated (data read from a bucket is untrusted).
 */
export function inflateRaw(data: Uint8Array, limit?: number): Uint8Array {
  try {
    return inflateRawSync(data, limit === undefined ? {} : { maxOutputLength: Math.max(1, limit) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InflateLimitError(limit as number);
    }
    throw error;
  }
}

/** What the beginning `data` of a raw DEFLATE stream inflates to, so far. */
export function inflateRawPrefix(data: Uint8Array): Uint8Array {
  return inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
}

/** A stream inflates to more than the limit its reader set. */
export class InflateLimitError extends RangeError {
  constructor(readonly limit: number) {
    super(`inflates to more than ${limit} bytes`);
  }
}

/** Hex digest of `data`. */
export function digestHex(algorithm: 'md5' | 'sha256', data: Uint8Array | string): string {
  return createHash(algorithm).update(data).digest('hex');
}

/** Which async call chain runs now: a value set by `run` is seen by all the code it awaits. */
export class AsyncScope<T> {
  /** Whether `getStore()` can tell the call chains apart here (it can on Node, Bun, Deno). */
  static readonly tracked = true;
  private readonly storage = new AsyncLocalStorage<T>();

  run<R>(value: T, fn: () => R): R {
    return this.storage.run(value, fn);
  }

  getStore(): T | undefined {
    return this.storage.getStore();
  }
}

/** wa-sqlite's Asyncify build, compiled once per process (cleared when compiling failed). */
let compiledSqlite: Promise<object> | undefined;

/**
 * Emscripten settings for loading wa-sqlite's Asyncify build (Node has no JSPI). The .wasm is
 * compiled once and each engine instantiates that module: engines then share its machine code
 * and its optimisation, and one more engine costs ~15 ms of CPU and ~0.5 MiB of RSS, where
 * compiling the bytes again for each cost ~60 ms and ~2.8 MiB (measured with 64 engines).
 */
export function sqliteModuleOptions(): Promise<Record<string, unknown>> {
  compiledSqlite ??= compileSqlite().catch((error: unknown) => {
    compiledSqlite = undefined;
    throw error;
  });
  return compiledSqlite.then((module) => ({
    // Emscripten's hook for a module compiled elsewhere. Instantiated synchronously so that a
    // failure (no memory for the engine's heap) rejects the load instead of leaving it pending.
    instantiateWasm(imports: object, done: (instance: object, module: object) => void) {
      done(new wasm.Instance(module, imports), module);
      return {};
    },
  }));
}

async function compileSqlite(): Promise<object> {
  const wasmPath = createRequire(import.meta.url).resolve(
    '@journeyapps/wa-sqlite/dist/wa-sqlite-async.wasm',
  );
  return wasm.compile(await readFile(wasmPath));
}

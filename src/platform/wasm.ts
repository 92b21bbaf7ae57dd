/**
 * The part of the WebAssembly API s3lite uses, typed here because the ES typings it is
 * compiled with lack it. Standard JavaScript: both platform modules (host and web) use it.
 */
export interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
  /** Synchronous instantiation of a compiled module (it throws where `instantiate` rejects). */
  Instance: new (module: object, imports: object) => object;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

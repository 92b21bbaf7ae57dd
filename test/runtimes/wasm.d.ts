/** A .wasm import: Workers hand over the module compiled at deploy time. */
declare module '*.wasm' {
  const module: object;
  export default module;
}

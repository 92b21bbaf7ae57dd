import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { ScenarioConfig } from './scenario.js';

export const root = path.resolve(import.meta.dirname, '../..');

/** wa-sqlite's WebAssembly binary, which browsers and Workers load beside the bundle. */
export const WASM_FILE = 'wa-sqlite-async.wasm';
export const wasmPath = path.join(root, 'node_modules/@journeyapps/wa-sqlite/dist', WASM_FILE);

/** How an entry's import of s3lite is satisfied. */
export type LibraryLink =
  /** Left as an import of dist/index.js: Node, Bun and Deno load the built package. */
  | 'external'
  /** Bundled in from dist/ with the given package.json conditions (browser, workerd). */
  | { conditions: string[] };

/**
 * Bundle a scenario entry into `outFile`, the scenario's settings compiled in. The entries
 * import s3lite from src/ (so that they type-check without a build); here that import becomes
 * the built package, resolved the way an application's bundler or runtime resolves it.
 */
export async function bundleEntry(
  entry: string,
  outFile: string,
  config: ScenarioConfig,
  link: LibraryLink,
): Promise<void> {
  const builtPackage: Plugin = {
    name: 'built-s3lite',
    setup(esbuild) {
      esbuild.onResolve({ filter: /\/src\/(index|web)\.js$/ }, async () => {
        if (link === 'external') {
          return { path: pathToFileURL(path.join(root, 'dist/index.js')).href, external: true };
        }
        // Through the package's own exports map, as `import 's3lite'` from an application.
        const resolved = await esbuild.resolve('s3lite', {
          kind: 'import-statement',
          resolveDir: root,
        });
        return { path: resolved.path };
      });
      // A Worker imports its .wasm as a module: it stays an import of the file beside the
      // bundle, which the runner copies there.
      esbuild.onResolve({ filter: /\.wasm$/ }, () => ({ path: `./${WASM_FILE}`, external: true }));
    },
  };
  await build({
    entryPoints: [path.join(root, 'test/runtimes/entries', entry)],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: link === 'external' ? 'node' : 'browser',
    conditions: link === 'external' ? [] : link.conditions,
    define: { SCENARIO_CONFIG: JSON.stringify(config) },
    plugins: [builtPackage],
    logLevel: 'error',
  });
}

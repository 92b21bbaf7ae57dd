import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Inside the repository, so that the bundle's imports of packages resolve from its
 * node_modules as the sources' do; a cache as tsx's is, never in the temporary directory.
 */
const CACHE = 'node_modules/.cache/s3lite-scripts';

const bundled = new Map<string, string>();

/**
 * A TypeScript script of the repository (`test/workers/race.ts`, relative to `repo`) and
 * the sources it imports, bundled by esbuild into one ES module that Node runs as it is;
 * its packages stay imports. Started through tsx instead, a process spends about a second and
 * a half of CPU on loader hooks and a hundred module files before its first line, which on a
 * busy machine is most of a short test. Built once per process and script; the file on disk
 * is rewritten only when the bundle changed, by a rename so that no process reads half of it.
 */
export function bundledScript(repo: string, script: string): string {
  const known = bundled.get(script);
  if (known !== undefined) return known;
  const [output] = buildSync({
    entryPoints: [path.join(repo, script)],
    absWorkingDir: repo,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'error',
  }).outputFiles;
  if (output === undefined) throw new Error(`esbuild made nothing of ${script}`);
  const dir = path.join(repo, CACHE);
  const file = path.join(dir, `${script.replaceAll('/', '-').replace(/\.ts$/, '')}.mjs`);
  if (!sameBytes(file, output.contents)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, output.contents);
    renameSync(partial, file);
  }
  bundled.set(script, file);
  return file;
}

function sameBytes(file: string, contents: Uint8Array): boolean {
  return existsSync(file) && Buffer.from(contents).equals(readFileSync(file));
}

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { bundleEntry, root } from '../bundle.js';
import type { Runtime } from './runtime.js';

const run = promisify(execFile);

/** Node, Bun or Deno: the scenario as a program importing the built package. */
function processRuntime(name: string, command: (file: string) => [string, ...string[]]): Runtime {
  return {
    name,
    async run(config, work) {
      const file = path.join(work, `${name}.mjs`);
      await bundleEntry('process.ts', file, config, 'external');
      const [program, ...args] = command(file);
      const result = await run(program, args, { cwd: root, timeout: 120_000 }).catch(
        (error: { stdout?: string; stderr?: string; message: string }) => error,
      );
      const output = (result.stdout ?? '').trim().split('\n').at(-1) ?? '';
      return output || `no output: ${lastLine(result.stderr ?? '') || String(result)}`;
    },
  };
}

const bin = (name: string) => path.join(root, 'node_modules/.bin', name);

export const node = processRuntime('node', (file) => [process.execPath, file]);
export const bun = processRuntime('bun', (file) => [bin('bun'), 'run', file]);
export const deno = processRuntime('deno', (file) => [
  bin('deno'),
  'run',
  '--allow-all',
  // The bundle lies outside the project: Deno takes npm packages from its node_modules.
  '--node-modules-dir=manual',
  file,
]);

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

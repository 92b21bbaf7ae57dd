import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { sdkEnv } from './support/s3-server.js';

/**
 * Every TypeScript example and every `s3lite …` command line of README.md runs here, against
 * the test S3 server, in order and in one scratch directory, so the README cannot drift from
 * the code. `s3://my-bucket/` becomes a fresh prefix in the test bucket; `// …` after a `console.log(…)` is output the run must show.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = (language: string) =>
  [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map(
    (m) => m[1] as string,
  );

describe('README examples', () => {
  const s3 = inject('s3');
  const place = `s3://${s3.bucket}/readme-${randomUUID().slice(0, 8)}/`;
  const env = { ...process.env, ...sdkEnv(s3) };
  const dir = mkdtempSync(path.join(tmpdir(), 's3lite-readme-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const localize = (code: string) => code.replaceAll('s3://my-bucket/', place);
  // Examples write files where they run: in a scratch directory, with tsx found from here.
  const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;

  it.each(blocks('ts').map((code, i) => [i + 1, code]))(
    'TypeScript example %i runs',
    async (i, code) => {
      const file = path.join(dir, `example-${i}.mts`);
      const entry = (module: string) => pathToFileURL(path.join(root, module)).href;
      const source = localize(code as string)
        .replaceAll("from 's3lite/testing'", `from '${entry('src/testing/index.ts')}'`)
        .replaceAll("from 's3lite'", `from '${entry('src/index.ts')}'`);
      writeFileSync(file, source);
      const { stdout } = await run(process.execPath, ['--import', tsx, file], { cwd: dir, env });
      for (const [, expected] of (code as string).matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)) {
        expect(stdout).toContain(expected);
      }
    },
  );

  const commandLines = blocks('sh')
    .flatMap((block) => block.split('\n'))
    .filter((line) => line.startsWith('s3lite '));
  it('has command lines', () => expect(commandLines.length).toBeGreaterThan(0));

  // One test per line, in order: each has the whole test timeout, whatever the machine's load.
  it.each(commandLines)('%s', async (line) => {
    const args = (localize(line.replace(/\s+#.*$/, '')).match(/"[^"]*"|\S+/g) ?? [])
      .slice(1)
      .map((arg) => arg.replace(/^"(.*)"$/, '$1'));
    // Data goes to stdout and summaries to stderr: a command that printed neither did nothing.
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', tsx, path.join(root, 'src/cli/main.ts'), ...args],
      { cwd: dir, env },
    );
    expect(stdout.length + stderr.length, line).toBeGreaterThan(0);
  });
});

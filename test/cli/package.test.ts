import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sdkEnv } from '../support/s3-server.js';

/**
 * The package as a user gets it: `npm pack` (whose prepack builds), the tarball installed in
 * an empty directory from the registry's dependencies, then the command run from there and
 * the README's first example and its "Testing your code" example (which imports the
 * `s3lite/testing` entry point) type-checked (strict, skipLibCheck off) and run against it.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
};
const dir = mkdtempSync(path.join(tmpdir(), 's3lite-package-'));
const bin = path.join(dir, 'node_modules/.bin/s3lite');
let packed: string[] = [];

// Building and installing from the registry take a while on a busy machine; one bound for both.
beforeAll(async () => {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: root,
    maxBuffer: 16 << 20,
  });
  // prepack's build prints before the JSON; the JSON is the last thing npm writes.
  const report = JSON.parse(stdout.slice(stdout.indexOf('[\n'))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const tarball = report[0] as (typeof report)[number];
  packed = tarball.files.map((f) => f.path);
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      `./${tarball.filename}`,
      '@types/node@20',
    ],
    { cwd: dir },
  );
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package', () => {
  it('holds the build, its types, LICENSE and CHANGELOG, and nothing else', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'CHANGELOG.md',
        'README.md',
        'package.json',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
        'dist/cli/main.js',
        'types/wa-sqlite-facade-vfs.d.ts',
      ]),
    );
    const unexpected = packed.filter(
      (file) =>
        !/^(dist\/.*\.(js|d\.ts)|types\/.*\.d\.ts|LICENSE|CHANGELOG\.md|README\.md|package\.json)$/.test(
          file,
        ),
    );
    expect(unexpected).toEqual([]);
  });

  it('installs a working command', async () => {
    expect((await run(bin, ['--version'])).stdout).toBe(`${version}\n`);
    expect((await run(bin, ['--help'])).stdout).toContain('Usage: s3lite');
    const url = `${pathToFileURL(dir).href}/db`;
    const { stdout } = await run(bin, [
      'sql',
      url,
      'CREATE TABLE t(x); INSERT INTO t VALUES (42); SELECT x FROM t',
    ]);
    expect(stdout).toBe('x\n42\n');
  });

  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  it.skipIf(major === 20 && minor < 19)(
    'loads with require() where Node can require ES modules (20.19 and later)',
    async () => {
      const script = "console.log(typeof require('s3lite').open)";
      const { stdout } = await run(process.execPath, ['-e', script], { cwd: dir });
      expect(stdout).toBe('function\n');
    },
  );

  it('keeps the test stores in s3lite/testing, out of the main entry', async () => {
    const script =
      "const main = await import('s3lite'); const testing = await import('s3lite/testing');" +
      "console.log('FaultInjectingStore' in main, typeof testing.FaultInjectingStore);";
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
    });
    expect(stdout).toBe('false function\n');
  });

  // The README's first example and its "Testing your code" example, compiled by one tsc run
  // (checking the libraries' declarations is most of its time), then each run.
  const examples: Record<string, string> = {};

  // The public types name the AWS SDK's S3Client, so a strict compile checks the SDK's
  // declarations too: 840 files, 112,000 lines, about 10 s of CPU, which a busy 2-core machine
  // (load average 30: a fifteenth of a core each) stretches to two and a half minutes.
  it('type-checks both examples with strict settings and skipLibCheck off', async () => {
    const s3 = inject('s3');
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const firstExample = (text: string) => /```ts\n([\s\S]*?)```/.exec(text)?.[1] as string;
    examples.example = firstExample(readme);
    examples.testing = firstExample(readme.slice(readme.indexOf('## Testing your code')));
    expect(examples.testing).toContain("from 's3lite/testing'");
    const place = `s3://${s3.bucket}/package-${randomUUID().slice(0, 8)}/`;
    for (const [name, example] of Object.entries(examples)) {
      writeFileSync(path.join(dir, `${name}.ts`), example.replaceAll('s3://my-bucket/', place));
    }
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          // Without the DOM's 46,000 lines of declarations, which nothing here uses.
          lib: ['ES2022'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          types: ['node'],
          outDir: 'out',
        },
        files: Object.keys(examples).map((name) => `${name}.ts`),
      }),
    );
    await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', dir]);
  }, 180_000);

  it.each([
    ["the README's first", 'example'],
    ['the s3lite/testing', 'testing'],
  ])('runs %s example, compiled', async (_, name) => {
    const { stdout } = await run(process.execPath, [path.join(dir, `out/${name}.js`)], {
      cwd: dir,
      env: { ...process.env, ...sdkEnv(inject('s3')) },
    });
    const example = examples[name] as string;
    for (const [, expected] of example.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)) {
      expect(stdout).toContain(expected);
    }
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The TypeScript examples of docs/meta-store.md's "Coming from AutoCRUD" section run here, as
 * test/readme.test.ts runs the README's: `// …` after a `console.log(…)` is output the run must
 * show. They use a memory:// store, so they need no server.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const doc = readFileSync(path.join(root, 'docs/meta-store.md'), 'utf8');
const section = /^## Coming from AutoCRUD\n([\s\S]*?)^## /m.exec(doc)?.[1] ?? '';
const examples = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);

describe('docs/meta-store.md, "Coming from AutoCRUD"', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 's3lite-meta-docs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
  const entry = pathToFileURL(path.join(root, 'src/index.ts')).href;

  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples.map((code, i) => [i + 1, code]))('example %i runs', async (i, code) => {
    const file = path.join(dir, `example-${i}.mts`);
    writeFileSync(file, (code as string).replaceAll("from 's3lite'", `from '${entry}'`));
    const { stdout } = await run(process.execPath, ['--import', tsx, file], { cwd: dir });
    const expected = [...(code as string).matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)];
    expect(expected.length).toBeGreaterThan(0);
    for (const [, output] of expected) expect(stdout).toContain(output);
  });
});

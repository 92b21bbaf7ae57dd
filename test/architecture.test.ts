import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * docs/ARCHITECTURE.md's table of layers is the rule, and `npm run lint` enforces it: here
 * every folder of the table imports every other one, in a file linted as if it lay in that
 * folder, and exactly the imports the table does not allow must be reported. So the table,
 * the lint configuration and the folders of src/ cannot drift apart.
 */
const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

interface Layer {
  folder: string;
  /** Folders it may import (as `src/...`), and those it may import types from only. */
  values: Set<string>;
  typesOnly: Set<string>;
}

function tableOfLayers(): Layer[] {
  const doc = readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
  const section = doc.slice(
    doc.indexOf('## Layers'),
    doc.indexOf('\n## ', doc.indexOf('## Layers') + 1),
  );
  const layers: Layer[] = [];
  for (const row of section.split('\n').filter((line) => line.startsWith('| `src/'))) {
    const cells = row.split('|').map((cell) => cell.trim());
    const folder = /`([^`]+)`/.exec(cells[1] as string)?.[1] as string;
    const layer: Layer = { folder, values: new Set(), typesOnly: new Set() };
    for (const entry of (cells[3] as string).split(',')) {
      const name = /`([^`]+)`/.exec(entry)?.[1];
      if (name === undefined) continue;
      (entry.includes('types only') ? layer.typesOnly : layer.values).add(`src/${name}`);
    }
    layers.push(layer);
  }
  return layers;
}

/** The import of `target` from a file in `folder`, as code would write it. */
function specifier(folder: string, target: string): string {
  const relative = path.relative(folder, target);
  return `${relative.startsWith('..') ? relative : `./${relative}`}/fixture.js`;
}

/**
 * Lint `lines` as the file `file`; answers the lines reported by no-restricted-imports, once
 * each (an import may break several rules: `src/layouts` and `src/layouts/blocks`).
 */
async function restricted(file: string, lines: string[]): Promise<string[]> {
  const [result] = await eslint.lintText(lines.join('\n') + '\n', {
    filePath: path.join(root, file),
  });
  const reported = (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => lines[message.line - 1] as string);
  return [...new Set(reported)];
}

const layers = tableOfLayers();

describe('the layers of docs/ARCHITECTURE.md', () => {
  it('has a row for every folder of src/', () => {
    // A layout's folder is a layer of its own; other folders' subfolders belong to them.
    const folders = (dir: string): string[] =>
      readdirSync(path.join(root, dir), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${dir}/${entry.name}`);
    const expected = [...folders('src'), ...folders('src/layouts')];
    expect(layers.map((layer) => layer.folder).sort()).toEqual(expected.sort());
  });

  it.each(layers.map((layer) => [layer.folder, layer] as const))(
    '%s imports exactly what the table allows',
    async (folder, layer) => {
      const others = layers.map((other) => other.folder).filter((other) => other !== folder);
      const valueImport = (target: string) =>
        `import { fixture } from '${specifier(folder, target)}'; // ${target}`;
      const typeImport = (target: string) =>
        `import type { Fixture } from '${specifier(folder, target)}'; // ${target} (types)`;
      const lines = [...others.map(valueImport), ...others.map(typeImport)];
      const allowed = (line: string) => {
        const target = /\/\/ (\S+)/.exec(line)?.[1] as string;
        return (
          layer.values.has(target) || (line.endsWith('(types)') && layer.typesOnly.has(target))
        );
      };
      const reported = await restricted(`${folder}/layers-fixture.ts`, lines);
      expect(reported).toEqual(lines.filter((line) => !allowed(line)));
    },
  );

  it('keeps tests, benchmarks and test tooling out of the library', async () => {
    const lines = [
      "import { createTestArea } from '../../test/support/stores.js';",
      "import { scenarios } from '../../bench/runner/suite.js';",
      "import { open } from '../index.js';",
    ];
    expect(await restricted('src/db/layers-fixture.ts', lines)).toEqual(lines);
    const entry = ["export { FaultInjectingStore } from './testing/index.js';"];
    expect(await restricted('src/index.ts', entry)).toEqual(entry);
    const s3 = ["import { S3Client } from '@aws-sdk/client-s3';"];
    expect(await restricted('src/volume/layers-fixture.ts', s3)).toEqual(s3);
    expect(await restricted('src/store/layers-fixture.ts', s3)).toEqual([]);
  });
});

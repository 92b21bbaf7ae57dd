import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, as docs/ARCHITECTURE.md tables them: each folder and the folders of src/
 * it may import (errors.ts, clock.ts and option-checks.ts at the root are open to all). An
 * import of anything else from src/ fails `npm run lint`; test/architecture.test.ts checks that
 * this table and the document's agree. `volume:types` allows type imports only.
 */
const LAYERS = {
  'src/store': [],
  'src/format': [],
  'src/volume': ['store', 'format'],
  'src/vfs': ['format', 'volume:types'],
  'src/layouts': [
    'store',
    'format',
    'volume',
    'vfs',
    'layouts/s3lite',
    'layouts/blocks',
    'layouts/object',
  ],
  'src/layouts/s3lite': ['store', 'format', 'volume', 'vfs', 'layouts'],
  'src/layouts/blocks': ['store', 'format', 'volume', 'vfs', 'layouts'],
  'src/layouts/object': ['store', 'format', 'volume', 'vfs', 'layouts'],
  'src/serialize': ['store', 'format', 'volume'],
  'src/db': ['store', 'format', 'volume', 'vfs', 'layouts', 'serialize'],
  'src/meta-store': ['store', 'db'],
  'src/cli': ['store', 'format', 'volume', 'layouts', 'serialize', 'db'],
  'src/testing': ['store'],
};

/** Every unit a folder's import could reach, and the regular expression that finds it. */
const UNITS = {
  store: '^(\\.\\./)+store/',
  format: '^(\\.\\./)+format/',
  volume: '^(\\.\\./)+volume/',
  vfs: '^(\\.\\./)+vfs/',
  layouts: '^(\\.\\./)+layouts/',
  // A layout's own folder, from outside src/layouts/ or from a sibling layout.
  'layouts/s3lite': '^(\\.\\./)+(layouts/)?s3lite/',
  'layouts/blocks': '^(\\.\\./)+(layouts/)?blocks/',
  'layouts/object': '^(\\.\\./)+(layouts/)?object/',
  serialize: '^(\\.\\./)+serialize/',
  db: '^(\\.\\./)+db/',
  'meta-store': '^(\\.\\./)+meta-store/',
  cli: '^(\\.\\./)+cli/',
  testing: '^(\\.\\./)+testing/',
};

/** What no library code imports, whatever its layer. */
const NEVER = [
  {
    regex: '^(\\.\\./)+(test|bench|examples|scripts)/',
    message: 'src/ never imports tests, benchmarks, examples or scripts.',
  },
  {
    regex: '^(\\.\\./)+index\\.js$',
    message: 'src/index.ts is the package entry, for users only.',
  },
];

/** Only src/store talks to S3. */
const S3_SDK = { regex: '^@aws-sdk/', message: 'S3 calls live only in src/store.' };

/** src/format is pure: codecs and checksums, no I/O. */
const IO = {
  regex: '^node:(fs|fs/promises|net|http|https|child_process|worker_threads)$',
  message: 'src/format is pure: no I/O.',
};

function layerRules(folder, allowed) {
  const name = folder.slice('src/'.length);
  const allowedUnits = new Set(allowed.map((unit) => unit.replace(/:types$/, '')));
  const patterns = Object.entries(UNITS)
    .filter(([unit]) => unit !== name && !allowedUnits.has(unit))
    .map(([unit, regex]) => ({
      regex,
      message: `${folder} may not import src/${unit} (layers: docs/ARCHITECTURE.md).`,
    }));
  for (const unit of allowed.filter((entry) => entry.endsWith(':types'))) {
    const bare = unit.replace(/:types$/, '');
    patterns.push({
      regex: UNITS[bare],
      allowTypeImports: true,
      message: `${folder} may import only types from src/${bare} (layers: docs/ARCHITECTURE.md).`,
    });
  }
  patterns.push(...NEVER);
  if (folder !== 'src/store') patterns.push(S3_SDK);
  if (folder === 'src/format') patterns.push(IO);
  // A layouts folder's files sit directly in it; its layouts' files in the subfolders.
  const files = folder === 'src/layouts' ? [`${folder}/*.ts`] : [`${folder}/**/*.ts`];
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        AbortSignal: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  ...Object.entries(LAYERS).map(([folder, allowed]) => layerRules(folder, allowed)),
  {
    files: ['src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NEVER[0],
            {
              regex: '^\\./testing/',
              message: 'Test tooling ships in s3lite/testing, not the main entry.',
            },
          ],
        },
      ],
    },
  },
);

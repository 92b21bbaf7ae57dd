import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { FileStore } from '../../src/store/index.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** Run the command as a user would (through tsx, so no build is needed); never throws. */
async function s3lite(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args],
      { cwd: root, env: { ...process.env, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function freshDir(): string {
  return mkdtempSync(path.join(tmpdir(), 's3lite-cli-'));
}

describe('s3lite command line', () => {
  it('runs statements and prints rows as TSV when piped and as JSON lines with --json', async () => {
    const url = `${pathToFileURL(freshDir()).href}/db`;
    const created = await s3lite([
      'sql',
      url,
      "CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 'x'), (2, NULL), (9007199254740993, X'00ff'); SELECT a, b FROM t",
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toBe("a\tb\n1\tx\n2\t\n9007199254740993\tX'00FF'\n");
    const json = await s3lite(['sql', '--json', url, 'SELECT a, b FROM t ORDER BY a']);
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: null },
      { a: '9007199254740993', b: '00ff' },
    ]);
  });

  it('prints a database’s page size, pages and head commit', async () => {
    const url = `${pathToFileURL(freshDir()).href}/db`;
    expect((await s3lite(['info', url])).stdout).toContain('no database yet');
    await s3lite(['sql', url, 'PRAGMA page_size=8192; CREATE TABLE t(x)']);
    const info = JSON.parse((await s3lite(['info', '--json', url])).stdout) as Record<
      string,
      unknown
    >;
    expect(info).toMatchObject({ pageSize: 8192, pageCount: 2, bytes: 16384, headCommit: 1 });
    expect(typeof info.headTime).toBe('string');
  });

  it('exits 2 for bad usage and bad URLs, 1 for failures, writing nothing', async () => {
    const dir = freshDir();
    expect((await s3lite(['sql'])).code).toBe(2);
    expect((await s3lite(['frobnicate'])).code).toBe(2);
    const noBucket = await s3lite(['sql', 's3:///prefix', 'SELECT 1']);
    expect(noBucket.code).toBe(2);
    expect(noBucket.stderr).toContain('names no bucket');
    const badEndpoint = await s3lite([
      'sql',
      '--endpoint',
      'not a url',
      's3://bucket/p',
      'SELECT 1',
    ]);
    expect(badEndpoint).toMatchObject({ code: 2 });
    expect(badEndpoint.stderr).toContain('malformed S3 endpoint URL "not a url"');

    const url = `${pathToFileURL(dir).href}/db`;
    const syntax = await s3lite(['sql', url, 'CREATE TABLE t(x); SELEC 1']);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/near "SELEC": syntax error.*\[SQLITE_ERROR\]/);
    const missing = await s3lite(['sql', url, 'INSERT INTO nowhere VALUES (1)']);
    expect(missing.stderr).toContain('no such table: nowhere');

    const foreign = new FileStore({ root: freshDir() });
    await foreign.put('data/report.csv', new TextEncoder().encode('a,b\n'));
    const notDb = await s3lite([
      'sql',
      `${pathToFileURL(foreign.root).href}/data`,
      'CREATE TABLE t(x)',
    ]);
    expect(notDb.code).toBe(1);
    expect(notDb.stderr).toContain('[NOT_A_DATABASE]');
    const left = [];
    for await (const object of foreign.listAll('')) left.push(object.key);
    expect(left).toEqual(['data/report.csv']);
  });

  it('names a missing bucket on the S3 server and exits 1', async () => {
    const s3 = inject('s3');
    const result = await s3lite(['sql', 's3://no-such-bucket-s3lite/db', 'SELECT 1'], {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bucket "no-such-bucket-s3lite" does not exist');
    expect(result.stderr).toContain('[NO_SUCH_BUCKET]');
  });
});

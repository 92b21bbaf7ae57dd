import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitKey, decodeCommitRecord, encodeCommitRecord } from '../../src/format/index.js';
import { FileStore } from '../../src/store/index.js';
import { createTestArea } from '../support/stores.js';

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

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 's3lite-cli-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** An expected failure is one line on stderr: no stack trace, nothing on stdout. */
function expectOneLine(result: { stdout: string; stderr: string }): void {
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
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
    await s3lite(['sql', url, 'PRAGMA page_size=8192; CREATE TABLE t(x)']);
    const info = JSON.parse((await s3lite(['info', '--json', url])).stdout) as Record<
      string,
      unknown
    >;
    expect(info).toMatchObject({ pageSize: 8192, pageCount: 2, bytes: 16384, headCommit: 1 });
    expect(typeof info.headTime).toBe('string');
  });

  it('refuses to print a page count that page 1 contradicts (a forged commit record)', async () => {
    const dir = freshDir();
    const url = `${pathToFileURL(dir).href}/db`;
    await s3lite(['sql', url, 'CREATE TABLE t(x)']);
    const store = new FileStore({ root: dir });
    const key = commitKey('db', 1);
    const record = decodeCommitRecord(key, (await store.get(key)).body);
    await store.put(key, encodeCommitRecord({ ...record, pageCount: 1000 }));
    await store.close();
    const info = await s3lite(['info', url]);
    expect(info.code).toBe(1);
    expectOneLine(info);
    expect(info.stderr).toContain(key);
    expect(info.stderr).toContain('page 1 says');
  });

  it('exits 2 for bad usage and bad URLs, 1 for failures, writing nothing', async () => {
    const dir = freshDir();
    const usage = await s3lite(['sql']);
    expect(usage.code).toBe(2);
    expectOneLine(usage);
    expect(usage.stderr).toContain("missing required argument 'url'");
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

describe('s3lite command-line manners', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(await s3lite(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('answers --help without loading the AWS SDK or SQLite', async () => {
    // A module resolution hook reports every heavy package the process asks for.
    const hook = `export async function resolve(s, c, next) {
      if (/@aws-sdk|wa-sqlite/.test(s)) process.stderr.write('LOADED ' + s + '\\n');
      return next(s, c);
    }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(
      `data:text/javascript,${encodeURIComponent(hook)}`,
    )});`;
    const { stdout, stderr } = await execFileAsync(process.execPath, [
      '--import',
      'tsx',
      '--import',
      `data:text/javascript,${encodeURIComponent(register)}`,
      path.join(root, 'src/cli/main.ts'),
      '--help',
    ]);
    expect(stdout).toContain('Usage: s3lite');
    expect(stderr).toBe('');
  });

  it('agrees in info, log and export that a location holds no database', async () => {
    const url = `${pathToFileURL(freshDir()).href}/nothing`;
    const target = path.join(freshDir(), 'out.sqlite');
    for (const args of [
      ['info', url],
      ['log', url],
      ['export', url, target],
      ['info', '--json', url],
    ]) {
      const result = await s3lite(args);
      expect(result.code, args.join(' ')).toBe(1);
      expectOneLine(result);
      expect(result.stderr).toContain(`no database at ${url}`);
    }
  });

  // In steps that run in order, each with the test timeout for its few command runs.
  describe('export and import of one database', () => {
    let dir: string;
    let url: string;
    let target: string;
    beforeAll(async () => {
      dir = freshDir();
      url = `${pathToFileURL(dir).href}/db`;
      target = path.join(dir, 'out.sqlite');
      // Two statements, two commits.
      await s3lite(['sql', url, 'CREATE TABLE t(x); INSERT INTO t VALUES (1)']);
    });

    it('keeps the summary off stdout and refuses to replace a file without --overwrite', async () => {
      const exported = await s3lite(['export', url, target]);
      expect(exported).toMatchObject({ code: 0, stdout: '' });
      expect(exported.stderr).toMatch(/^exported 2 pages/);
      writeFileSync(target, 'precious');
      const refused = await s3lite(['export', url, target]);
      expect(refused.code).toBe(1);
      expectOneLine(refused);
      expect(refused.stderr).toContain('pass --overwrite');
      expect(readFileSync(target, 'utf8')).toBe('precious');
    });

    it('exports the commit a time given to --at names, with a rounded JSON summary', async () => {
      const between = new Date().toISOString();
      await s3lite(['sql', url, 'INSERT INTO t VALUES (2)']);
      const at = await s3lite(['export', '--overwrite', '--json', '--at', between, url, target]);
      expect(at.code).toBe(0);
      const summary = JSON.parse(at.stdout) as { commit: number; seconds: number };
      expect(summary.commit).toBe(2);
      expect(String(summary.seconds)).toMatch(/^\d+(\.\d{1,3})?$/);
    });

    it('refuses to import over a database, naming --overwrite', async () => {
      const again = await s3lite(['import', target, url]);
      expect(again.code).toBe(1);
      expectOneLine(again);
      expect(again.stderr).toContain('pass --overwrite');
      expect(again.stderr).not.toMatch(/with overwrite/);
    });
  });

  it('describes a database in another layout, which has no commits, instead of failing', async () => {
    const s3 = inject('s3');
    const env = {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    const url = `${pathToFileURL(freshDir()).href}/db`;
    await s3lite(['sql', url, 'CREATE TABLE t(x)']);
    const area = createTestArea('s3');
    const blocks = `s3vfs://${s3.bucket}/${area.prefix}db.sqlite`;
    expect((await s3lite(['export', '--quiet', url, blocks], env)).code).toBe(0);
    const info = await s3lite(['info', '--json', blocks], env);
    await area.cleanup();
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({
      layout: 'blocks',
      pageCount: 2,
      headCommit: null,
    });
  });

  it('refuses to import a file whose structure is broken, unless --no-verify', async () => {
    const dir = freshDir();
    const file = path.join(dir, 'loop.sqlite');
    await execFileAsync('sqlite3', [
      file,
      `PRAGMA page_size=1024; CREATE TABLE t(v);
       INSERT INTO t WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50)
         SELECT randomblob(200) FROM c`,
    ]);
    const bytes = readFileSync(file);
    // Table t's root, page 2, is an interior page: make its right-most child itself.
    bytes.writeUInt32BE(2, 1024 + 8);
    writeFileSync(file, bytes);
    const url = `${pathToFileURL(dir).href}/db`;
    const refused = await s3lite(['import', file, url]);
    expect(refused.code).toBe(1);
    expectOneLine(refused);
    expect(refused.stderr).toMatch(
      /loop\.sqlite is not a sound SQLite database.*2nd reference to page 2/,
    );
    expect((await s3lite(['info', url])).stderr).toContain('no database at');
    const trusted = await s3lite(['import', '--quiet', '--no-verify', file, url]);
    expect(trusted).toMatchObject({ code: 0, stderr: '' });
  });

  it('reports a missing file and a bad flag value in one line that names them', async () => {
    const url = `${pathToFileURL(freshDir()).href}/db`;
    const missing = await s3lite(['import', '/no/such/file.sqlite', url]);
    expect(missing.code).toBe(1);
    expectOneLine(missing);
    expect(missing.stderr).toContain('/no/such/file.sqlite: no such file or directory');
    const duration = await s3lite(['gc', '--keep-for', 'banana', url]);
    expect(duration.code).toBe(2);
    expectOneLine(duration);
    expect(duration.stderr).toContain('--keep-for');
    expect(duration.stderr).not.toContain('keepFor');
  });

  it('names refused credentials and an unreachable endpoint without internal keys', async () => {
    const s3 = inject('s3');
    const env = {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    };
    const denied = await s3lite(['info', `s3://${s3.bucket}/cli-denied`], env);
    expect(denied.code).toBe(1);
    expectOneLine(denied);
    expect(denied.stderr).toContain(`access denied to s3://${s3.bucket} at ${s3.endpoint}`);
    expect(denied.stderr).toContain('SignatureDoesNotMatch: the secret key does not match');
    expect(denied.stderr).not.toContain('UnknownError');
    expect(denied.stderr).not.toContain('cli-denied/');

    const endpoint = 'http://127.0.0.1:9';
    const unreachable = await s3lite(['info', '--endpoint', endpoint, `s3://${s3.bucket}/x`], env);
    expect(unreachable.code).toBe(1);
    expectOneLine(unreachable);
    expect(unreachable.stderr.split(endpoint)).toHaveLength(2);
    expect(unreachable.stderr).toContain('--endpoint');
  });
});

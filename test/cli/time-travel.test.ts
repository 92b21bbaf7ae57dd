import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LATER_MS } from '../support/clock.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** Run the command as a user would (through tsx, so no build is needed); never throws. */
async function s3lite(...args: string[]) {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args],
      { cwd: root },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/**
 * Date every file under `dir` two minutes back, as if the commits were made that long ago:
 * GC never collects a commit record younger than a minute, and the command runs in its own
 * process, on the real clock.
 */
function age(dir: string): void {
  const then = new Date(Date.now() - LATER_MS);
  for (const entry of readdirSync(dir, { recursive: true })) {
    utimesSync(path.join(dir, String(entry)), then, then);
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 's3lite-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One scenario in steps that run in order, each a test of its own so that each has the whole
// test timeout for its few command runs, however busy the machine.
describe('s3lite log, sql --at and gc', () => {
  const url = `${pathToFileURL(dir).href}/db`;
  let commits: Array<Record<string, unknown>> = [];

  it('lists commits', async () => {
    await s3lite(
      'sql',
      url,
      'CREATE TABLE t(n); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)',
    );

    const log = await s3lite('log', '--json', url);
    expect(log.code).toBe(0);
    commits = jsonLines(log.stdout);
    expect(commits.map((c) => c.commit)).toEqual([3, 2, 1]);
    // An insert rewrites page 1 (its change counter) and the table's page.
    expect(commits[0]).toMatchObject({ pages: 2, size: 8192 });
    expect(commits[0]?.txid).toMatch(/^[0-9a-f]{16}$/);
    const tsv = (await s3lite('log', '--limit', '1', url)).stdout.split('\n');
    expect(tsv[0]).toBe('commit\ttime\ttxid\tpages\tsize');
    expect(tsv[1]).toMatch(/^3\t\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f]{16}\t2\t8192$/);
  });

  it('reads the past by commit number and by time', async () => {
    const atTwo = await s3lite('sql', '--at', '2', url, 'SELECT sum(n) AS s FROM t');
    expect(atTwo).toMatchObject({ code: 0, stdout: 's\n1\n' });
    const atTime = await s3lite(
      'sql',
      '--at',
      String(commits[2]?.time),
      url,
      'SELECT count(*) FROM t',
    );
    expect(atTime.stdout).toBe('count(*)\n0\n');
    expect((await s3lite('sql', '--at', 'yesterday-ish', url, 'SELECT 1')).code).toBe(2);
  });

  it('collects history', async () => {
    age(dir);
    const dry = await s3lite('gc', '--dry-run', '--json', '--keep-last', '1', '--grace', '0', url);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      head: 3,
      oldestRetained: 3,
      removed: { commits: 2 },
    });
    const done = await s3lite('gc', '--keep-last', '1', '--grace', '0', url);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^removed 2 commit records, 0 checkpoints, \d+ page objects: /);
    expect(done.stdout).toContain('kept commits 3–3 (1)');
    const expired = await s3lite('sql', '--at', '1', url, 'SELECT 1');
    expect(expired.code).toBe(1);
    expect(expired.stderr).toContain('SNAPSHOT_EXPIRED');
  });
});

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blockKey } from '../../src/layouts/index.js';
import { open, readBlocksDatabase, writeBlocksDatabase } from '../../src/index.js';
import { createTestArea, type TestArea } from '../support/stores.js';
import { concatenatedBlocks, putAsBlocks } from '../layouts/blocks-helpers.js';
import { localDatabase, scratchDir } from '../layouts/local-files.js';
import { sdkEnv } from '../support/s3-server.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const scratch = scratchDir();
afterAll(() => scratch.remove());

describe('s3lite import/export/sql with the other layouts, on S3', () => {
  const s3 = inject('s3');
  let area: TestArea;
  const local = localDatabase(scratch.dir, 'cli.sqlite', 4096, 1000);
  /** The command as a user runs it (through tsx); never throws. */
  const s3lite = async (...args: string[]) => {
    const env = { ...process.env, ...sdkEnv(s3) };
    const cli = path.join(root, 'src/cli/main.ts');
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args], {
        cwd: root,
        env,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const url = (scheme: string, name: string) => `${scheme}://${s3.bucket}/${area.prefix}${name}`;

  beforeAll(() => {
    area = createTestArea('s3');
  });
  afterAll(() => area.cleanup());

  it('converts a sqlite-s3vfs database to s3lite and back, and queries a plain object in place', async () => {
    await putAsBlocks(area.store, `${area.prefix}legacy/db.sqlite`, local.bytes, 4096);
    await area.store.put(`${area.prefix}plain.sqlite`, local.bytes);
    const [imported, queried] = await Promise.all([
      s3lite('import', '--json', url('s3vfs', 'legacy/db.sqlite'), url('s3', 'converted')),
      s3lite('sql', url('s3', 'plain.sqlite'), 'SELECT count(*) AS n FROM t'),
    ]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(imported.stdout)).toMatchObject({
      bytes: local.bytes.byteLength,
      commit: 1,
    });
    expect(queried).toMatchObject({ code: 0, stdout: 'n\n1000\n' });
    const converted = await open({ store: area.store, prefix: `${area.prefix}converted` });
    expect(converted.layout).toBe('s3lite');
    expect(await converted.queryOne('SELECT count(*) AS n FROM t')).toEqual({ n: 1000 });
    await converted.close();

    const exported = await s3lite(
      'export',
      '--quiet',
      '--layout',
      's3vfs',
      '--block-size',
      '4097',
      url('s3', 'converted'),
      url('s3', 'exported/db.sqlite'),
    );
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    const blocks = await concatenatedBlocks(area.store, `${area.prefix}exported/db.sqlite`);
    expect(blocks.equals(local.bytes)).toBe(true);
  });

  it('refuses to write over a blocks database, and to read one whose journal is hot', async () => {
    const file = `${area.prefix}guarded/db.sqlite`;
    await putAsBlocks(area.store, file, local.bytes, 4096);
    const chunks = (async function* () {
      yield local.bytes;
    })();
    const refused = await writeBlocksDatabase({ store: area.store, file }, chunks, {
      blockSize: 4096,
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'DATABASE_EXISTS' });

    // A writer died mid-transaction: its journal's header is there.
    await area.store.put(blockKey(`${file}-journal`, 0), new Uint8Array([0xd9, 0xd5, 0x05, 0xf9]));
    const hot = await readBlocksDatabase({ store: area.store, file }).catch((e: unknown) => e);
    expect(hot).toMatchObject({ code: 'CONFLICT' });
    expect(String(hot)).toContain('hot rollback journal');
  });
});

/**
 * The one scenario `npm run test:runtimes` runs in every runtime (Node, Bun, Deno, workerd,
 * Chromium), against the real S3 server. Portable: it touches nothing but the s3lite module
 * it is handed and standard JavaScript, so the same code runs wherever it is bundled.
 */
import type * as S3lite from '../../src/index.js';

/** Where the scenario's database lives and how to reach it. */
export interface ScenarioConfig {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A fresh key prefix of this run. */
  prefix: string;
}

/** The parts of s3lite the scenario uses: the runtime's own build of it. */
export type ScenarioLibrary = Pick<typeof S3lite, 'open'>;

/** Resolves when every step behaved; rejects with an Error naming the step that did not. */
export async function runScenario(lib: ScenarioLibrary, config: ScenarioConfig): Promise<void> {
  const url = `s3://${config.bucket}/${config.prefix}`;
  const s3 = {
    endpoint: config.endpoint,
    region: config.region,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
  };
  const connect = (options: { at?: number } = {}) => lib.open(url, { s3, ...options });

  const db = await connect();
  const other = await connect();
  try {
    await db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, stock INT)');
    const first = db.stats().snapshot.seq;
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO items (name, stock) VALUES (?, ?)', ['kettle', 3]);
      await tx.run('INSERT INTO items (name, stock) VALUES (?, ?)', ['teapot', 5]);
    });
    const expected = JSON.stringify([
      { name: 'kettle', stock: 3 },
      { name: 'teapot', stock: 5 },
    ]);
    const select = 'SELECT name, stock FROM items ORDER BY id';
    check('read back', JSON.stringify(await db.query(select)), expected);
    check('second client', JSON.stringify(await other.query(select)), expected);

    const past = await connect({ at: first });
    try {
      const count = await past.queryOne<{ n: number }>('SELECT count(*) AS n FROM items');
      check('time travel', String(count?.n), '0');
    } finally {
      await past.close();
    }

    await db.exec("BEGIN IMMEDIATE; UPDATE items SET stock = stock - 1 WHERE name = 'kettle'");
    await other.exec("BEGIN IMMEDIATE; UPDATE items SET stock = stock + 10 WHERE name = 'kettle'");
    await db.exec('COMMIT');
    const lost = await other.exec('COMMIT').then(
      () => undefined,
      (error: unknown) => error as { code?: string },
    );
    check('conflict detected', String(lost?.code), 'CONFLICT');
    const kettle = await other.queryOne<{ stock: number }>(
      "SELECT stock FROM items WHERE name = 'kettle'",
    );
    check('loser rolled back', String(kettle?.stock), '2');
  } finally {
    await other.close();
    await db.close();
  }
}

function check(step: string, actual: string, expected: string): void {
  if (actual !== expected) throw new Error(`${step}: expected ${expected}, got ${actual}`);
}

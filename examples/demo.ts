/**
 * `npm run demo`: s3lite on a local directory standing in for a bucket (no server needed).
 * Each run adds a visit to a small database under .s3lite-demo/, shows what is there, and
 * what it cost in object-store requests. Point DEMO_URL at s3://bucket/prefix to run the
 * same on S3.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { open } from '../src/index.js';

// An application's call, as README "Install" explains: the AWS SDK's notice that its 2027
// releases need Node 22 says nothing about this demo, which runs on the versions pinned here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dir = resolve('.s3lite-demo');
mkdirSync(dir, { recursive: true });
const url = process.env.DEMO_URL ?? `${pathToFileURL(dir).href}/guestbook`;

const db = await open(url);
await db.exec(`
  CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY, at TEXT NOT NULL, note TEXT);
  CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
`);

// One atomic commit; re-run on the new head if another writer commits first.
await db.transaction(async (tx) => {
  await tx.run('INSERT INTO visits (at, note) VALUES (?, ?)', [
    new Date().toISOString(),
    `pid ${process.pid}`,
  ]);
  await tx.run(
    `INSERT INTO counters VALUES ('visits', 1) ON CONFLICT(name) DO UPDATE SET n = n + 1`,
  );
});

const { n } = (await db.queryOne<{ n: number }>("SELECT n FROM counters WHERE name = 'visits'"))!;
console.log(`${url}: visit number ${n}; the latest five:`);
for (const row of await db.query('SELECT id, at, note FROM visits ORDER BY id DESC LIMIT 5')) {
  console.log(`  #${row.id}  ${row.at}  ${row.note}`);
}
const stats = db.stats();
console.log(
  `commit ${stats.snapshot.seq}, ${stats.snapshot.pageCount} pages of ${stats.snapshot.pageSize} bytes; ` +
    `this run: ${stats.store.requests.get} GET, ${stats.store.requests.put} PUT, ${stats.store.requests.list} LIST`,
);
await db.close();

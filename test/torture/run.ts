/**
 * The torture suite (`npm run torture`): several worker processes run bank transfers and
 * append-only inserts against one database while a reader checks the bank's total (also at
 * past commits), a collector runs garbage collection, every request risks an injected fault
 * (503s, hangs, responses lost after the write succeeded), and a supervisor SIGKILLs a random
 * worker every few seconds and starts another. At the end: integrity_check, the invariants,
 * every acknowledged transaction present, and storage after a final collection within a small
 * factor of the database's size. Prints the figures; exits 1 on any violation.
 *
 *   npm run torture                      CI mode: about two minutes, on the S3 server
 *   npm run torture -- --minutes 15      a longer local run
 *   options: --store s3|file, --seed N, --no-faults, --keep (leave the data behind)
 *
 * On S3 it uses the server named by S3_ENDPOINT, or starts one (and stops it afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { open } from '../../src/db/index.js';
import { collectGarbage, PageCache } from '../../src/volume/index.js';
import { later } from '../support/clock.js';
import type { ObjectStore } from '../../src/store/index.js';
import { storeAt, type Location } from '../workers/io.js';
import type { WorkerStats } from '../workers/torture-common.js';
import { schema, verify } from './checks.js';
import { ensureS3Server, releaseS3Server, type S3Server } from '../support/s3-server.js';
import { supervise, type Gathered, type TortureConfig } from './supervisor.js';

/** Storage after the final collection may be at most this many times the database's size. */
const MAX_STORAGE_FACTOR = 1.5;
const ACCOUNTS = 40;
const INITIAL_BALANCE = 1000;

const { values: args } = parseArgs({
  options: {
    ci: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    store: { type: 'string', default: 's3' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    'no-faults': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = args.minutes === undefined ? 1.5 : Number(args.minutes);
const seed = Number(args.seed);
if (!(minutes > 0) || !Number.isInteger(seed) || !['s3', 'file'].includes(args.store)) {
  console.error(
    'usage: npm run torture -- [--minutes N] [--store s3|file] [--seed N] [--no-faults] [--keep]',
  );
  process.exit(2);
}

let server: S3Server | undefined;
let fileRoot: string | undefined;
const prefix = `torture-${seed}-${Date.now().toString(36)}`;
let location: Location;
if (args.store === 's3') {
  server = ensureS3Server();
  Object.assign(process.env, server.env);
  location = { kind: 's3', prefix };
} else {
  fileRoot = mkdtempSync(path.join(tmpdir(), 's3lite-torture-'));
  location = { kind: 'file', root: fileRoot, prefix };
}

const config: TortureConfig = {
  location,
  env: server?.env ?? {},
  durationMs: minutes * 60_000,
  bankWorkers: 3,
  logWorkers: 2,
  readers: 1,
  killEveryMs: [1500, 5000],
  accounts: ACCOUNTS,
  initialBalance: INITIAL_BALANCE,
  // Longer than any write transaction takes, injected hangs and retries included.
  graceMs: 30_000,
  seed,
  faults: !args['no-faults'],
};

const store = storeAt(location);
let failed: boolean;
try {
  failed = await torture(store, config);
} finally {
  if (!args.keep) await removeData(store, prefix);
  await store.close();
  if (fileRoot && !args.keep) rmSync(fileRoot, { recursive: true, force: true });
  if (server) releaseS3Server(server);
}
process.exit(failed ? 1 : 0);

/** Set up, run, check, collect, check again, print. Returns whether anything failed. */
async function torture(store: ObjectStore, config: TortureConfig): Promise<boolean> {
  const mode = args.minutes === undefined ? 'CI mode' : `${minutes} min`;
  console.log(
    `torture: ${mode}, ${config.location.kind} store, prefix ${prefix}, seed ${config.seed}` +
      (config.faults ? ', faults on' : ', no faults'),
  );
  const setup = await open({ store, prefix }, { checkpointInterval: 8 });
  await setup.exec(schema(ACCOUNTS, INITIAL_BALANCE));
  await setup.close();

  const started = performance.now();
  const gathered = await supervise(config);
  const seconds = (performance.now() - started) / 1000;

  const connect = () => open({ store, prefix }, { cache: new PageCache(), readOnly: true });
  const before = await connect();
  const violations = [
    ...gathered.violations,
    ...(await verify(before, gathered, ACCOUNTS, INITIAL_BALANCE)),
  ];
  const { seq: head, pageCount, pageSize } = before.stats().snapshot;
  await before.close();

  // Every worker has stopped: collect as if later, when no commit record is too young to go.
  const collected = await collectGarbage(store, prefix, { keepLast: 1, grace: 0, clock: later });
  // After the final collection, a cold reader must still find everything intact.
  const after = await connect();
  violations.push(...(await verify(after, gathered, ACCOUNTS, INITIAL_BALANCE)));
  await after.close();
  const stored = await storedBytes(store, prefix);
  const live = pageCount * pageSize;
  if (stored > MAX_STORAGE_FACTOR * live) {
    violations.push(
      `storage after the final collection is ${stored} bytes, ${(stored / live).toFixed(2)}× the database`,
    );
  }

  printFigures(gathered, {
    seconds,
    head,
    storedBefore: collected.storedBytesBefore,
    storedAfter: stored,
    live,
  });
  for (const violation of violations) console.log(`VIOLATION ${violation}`);
  console.log(
    violations.length === 0
      ? 'torture: passed'
      : `torture: FAILED (${violations.length} violations)`,
  );
  return violations.length > 0;
}

function printFigures(
  gathered: Gathered,
  run: { seconds: number; head: number; storedBefore: number; storedAfter: number; live: number },
): void {
  const sum = (role: string | undefined, pick: (stats: WorkerStats) => number) =>
    [...gathered.stats.values()]
      .filter((entry) => role === undefined || entry.role === role)
      .reduce((total, entry) => total + pick(entry.stats), 0);
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(2)} MiB`;
  const kills = Object.entries(gathered.kills)
    .map(([role, n]) => `${role} ${n}`)
    .join(', ');
  const lines: Array<[string, string | number]> = [
    ['duration', `${run.seconds.toFixed(0)} s, ${gathered.processes} processes started`],
    ['commits', run.head],
    ['transfers acknowledged', gathered.transfers.size],
    [
      'log transactions acknowledged',
      `${sum('log', (s) => s.acked)} (${gathered.logIds.size} rows)`,
    ],
    ['transaction bodies run', sum(undefined, (s) => s.bodyRuns)],
    ['commit races lost', sum(undefined, (s) => s.conflicts)],
    ['requests retried', sum(undefined, (s) => s.retries)],
    [
      'faults injected',
      `${sum(undefined, (s) => s.faults.error)} errors, ${sum(undefined, (s) => s.faults.timeout)} timeouts, ` +
        `${sum(undefined, (s) => s.faults['lost-response'])} lost responses`,
    ],
    ['outcome unknown (not acknowledged)', sum(undefined, (s) => s.unknown)],
    ['gave up after lost races', sum(undefined, (s) => s.gaveUp)],
    ['kills (SIGKILL)', kills || 'none'],
    ['snapshot checks (head, past)', `${gathered.checks.head}, ${gathered.checks.past}`],
    ['snapshots expired', sum(undefined, (s) => s.expired)],
    [
      'concurrent GC runs',
      `${gathered.gcRuns}, ${gathered.gcRemoved} objects, ${mib(gathered.gcBytesFreed)} freed`,
    ],
    ['stored before final GC', mib(run.storedBefore)],
    [
      'stored after final GC',
      `${mib(run.storedAfter)} (${(run.storedAfter / run.live).toFixed(2)}× the database)`,
    ],
    ['database size', mib(run.live)],
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  for (const [label, value] of lines) console.log(`  ${label.padEnd(width)}  ${value}`);
}

async function storedBytes(store: ObjectStore, prefix: string): Promise<number> {
  let bytes = 0;
  for await (const object of store.listAll(`${prefix}/`)) bytes += object.size;
  return bytes;
}

async function removeData(store: ObjectStore, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const object of store.listAll(`${prefix}/`)) keys.push(object.key);
  await store.deleteMany(keys);
}

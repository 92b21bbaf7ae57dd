import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Config } from '../config.js';
import { VALUE_BYTES } from '../dataset.js';
import { buildFixture, importFixture, removePrefix, type Fixture } from '../fixtures.js';
import type { RunInfo } from './machine.js';
import type { DatabaseShape, Results } from '../results.js';
import { as, flat, log, s3, step, type RunContext } from './steps.js';
import { CONCURRENCY, s3Store, type StoreSpec } from '../stores.js';
import { putFile, shape, transferScenarios } from './suite-transfer.js';
import { writers } from './suite-writers.js';

type Measured = Omit<Results, keyof RunInfo | 'server' | 'targets' | 'load'>;

/** The small-row databases of scenarios 2–4 and 8, one per page size, and where they are. */
interface SmallDatabase {
  fixture: Fixture;
  shape: DatabaseShape;
  prefix: string;
}

/**
 * Every scenario, in order, each on a prefix of its own under one run prefix that is removed
 * at the end. Scenarios run one at a time (never two at once: they would share the server
 * and the cores), each in a child process for its peak RSS.
 */
export async function runSuite(config: Config): Promise<Measured> {
  const started = performance.now();
  const run: RunContext = {
    config,
    root: `bench-${randomUUID().slice(0, 8)}`,
    work: mkdtempSync(path.join(tmpdir(), 's3lite-bench-')),
    store: s3Store(),
  };
  try {
    const idle = await step('idle process', { kind: 'idle' });
    const small = await smallDatabases(run);
    const bulkLoad = await bulkLoads(run);
    const reads = await lookupsAndScans(run, small);
    const singleInsert = await singleInserts(run, small[0] as SmallDatabase);
    const wholeFile = await wholeFileSmall(run, small[0] as SmallDatabase);
    const large = await transferScenarios(run);
    const concurrencyRuns = [];
    for (const latencyMs of [0, config.latencyMs])
      concurrencyRuns.push(await writers(run, latencyMs));
    const metaStore = await metaStoreScenario(run);
    const rewrite = await rewrites(run);
    return {
      config,
      durationSeconds: (performance.now() - started) / 1000,
      idleRssMiB: idle.maxRssMiB,
      concurrency: CONCURRENCY,
      databases: [...small.map((s) => s.shape), large.transfer.database],
      bulkLoad,
      pointLookup: [...reads.pointLookup, large.pointLookup],
      singleInsert: [...singleInsert, large.singleInsert],
      scan: reads.scan,
      transfer: large.transfer,
      wholeFile: [...wholeFile, large.wholeFile],
      concurrencyRuns,
      metaStore,
      rewrite,
    };
  } finally {
    await removePrefix(run.store, run.root).catch(() => undefined);
    await run.store.close();
    rmSync(run.work, { recursive: true, force: true });
  }
}

async function smallDatabases(run: RunContext): Promise<SmallDatabase[]> {
  const { config } = run;
  log(`building ${config.pageSizes.length} databases of ${config.rows} rows`);
  const databases: SmallDatabase[] = [];
  for (const pageSize of config.pageSizes) {
    const fixture = buildFixture(run.work, config.rows, VALUE_BYTES, pageSize);
    const prefix = `${run.root}/small-${pageSize}`;
    await importFixture(run.store, fixture, prefix);
    databases.push({ fixture, shape: shape('small', fixture), prefix });
  }
  return databases;
}

/** Scenario 1, without and with latency. */
async function bulkLoads(run: RunContext): Promise<Results['bulkLoad']> {
  const { config } = run;
  const loads: Results['bulkLoad'] = [];
  for (const latencyMs of [0, config.latencyMs]) {
    const ran = await step(`1. bulk load, ${latencyMs} ms latency`, {
      kind: 'bulk-load',
      store: s3(latencyMs),
      prefix: `${run.root}/bulk-${latencyMs}`,
      rows: config.rows,
      transactions: [1, config.bulkTransactions],
      runs: latencyMs ? 1 : config.bulkRuns,
    });
    loads.push({ ...s3(latencyMs), ...as('loads', ran) });
  }
  return loads;
}

/** Scenarios 2 and 4 at every page size (6), without and with latency (7). */
async function lookupsAndScans(
  run: RunContext,
  small: SmallDatabase[],
): Promise<Pick<Results, 'pointLookup' | 'scan'>> {
  const { config } = run;
  const pointLookup: Results['pointLookup'] = [];
  const scan: Results['scan'] = [];
  for (const db of small) {
    for (const latencyMs of [0, config.latencyMs]) {
      const at = `${db.fixture.pageSize / 1024} KiB pages, ${latencyMs} ms latency`;
      const lookup = await step(`2. point lookups, ${at}`, {
        kind: 'point-lookup',
        store: s3(latencyMs),
        prefix: db.prefix,
        rows: config.rows,
        coldRuns: config.coldLookups,
        warmLookups: config.warmLookups,
      });
      pointLookup.push({ ...s3(latencyMs), database: db.shape, ...as('lookup', lookup) });
      const scanned = await step(`4. scans, ${at}`, {
        kind: 'scan',
        store: s3(latencyMs),
        prefix: db.prefix,
        rows: config.rows,
        runs: latencyMs ? 1 : config.scanRuns,
        withoutReadAhead: true,
      });
      scan.push({ ...s3(latencyMs), database: db.shape, ...as('scan', scanned) });
    }
  }
  // The design alone, without this server's throughput limit: the same scan in memory.
  const base = small[0] as SmallDatabase;
  const memory: StoreSpec = { backend: 'memory', latencyMs: config.latencyMs };
  const inMemory = await step(`4. scans in memory, ${config.latencyMs} ms latency`, {
    kind: 'scan',
    store: memory,
    prefix: `${run.root}/memory`,
    rows: config.rows,
    runs: config.scanRuns,
    withoutReadAhead: false,
    seedFile: base.fixture.file,
  });
  scan.push({ ...memory, database: base.shape, ...as('scan', inMemory) });
  return { pointLookup, scan };
}

/** Scenario 3, each variant on a fresh copy of the database. */
async function singleInserts(run: RunContext, db: SmallDatabase): Promise<Results['singleInsert']> {
  const inserts: Results['singleInsert'] = [];
  for (const latencyMs of [0, run.config.latencyMs]) {
    const prefix = `${run.root}/insert-${latencyMs}`;
    await importFixture(run.store, db.fixture, prefix);
    const ran = await step(`3. single-row inserts, ${latencyMs} ms latency`, {
      kind: 'single-insert',
      store: s3(latencyMs),
      prefix,
      inserts: run.config.inserts,
    });
    inserts.push({ ...s3(latencyMs), database: db.shape, ...as('insert', ran) });
    await removePrefix(run.store, prefix);
  }
  return inserts;
}

/** Scenario 8 on the database of scenarios 2 and 3: the same file as one object. */
async function wholeFileSmall(run: RunContext, db: SmallDatabase): Promise<Results['wholeFile']> {
  const { config } = run;
  const object = `${run.root}/whole-file-small.sqlite`;
  await putFile(run.store, object, db.fixture.file);
  const results: Results['wholeFile'] = [];
  for (const latencyMs of [0, config.latencyMs]) {
    const ran = await step(`8. whole-file baseline, small database, ${latencyMs} ms latency`, {
      kind: 'whole-file',
      latencyMs,
      key: object,
      file: path.join(run.work, 'whole-file-copy.sqlite'),
      rows: config.rows,
      coldRuns: config.coldLookups,
      warmLookups: config.warmLookups,
      inserts: config.inserts,
    });
    results.push({ latencyMs, database: db.shape, ...as('result', ran) });
  }
  await run.store.delete(object);
  return results;
}

/** Scenario 10: the metadata store, beside the whole-file approach on the same data. */
async function metaStoreScenario(run: RunContext): Promise<Results['metaStore']> {
  const { config } = run;
  const ran = await step(`10. metadata store, ${config.metaRecords} records`, {
    kind: 'meta-store',
    prefix: `${run.root}/meta-store`,
    wholeKey: `${run.root}/meta-store-whole.sqlite`,
    records: config.metaRecords,
    writes: config.metaWrites,
    groupedWrites: config.metaGroupedWrites,
    syncIntervalMs: config.metaSyncIntervalMs,
    searchRuns: config.metaSearchRuns,
  });
  return flat(ran);
}

/** Scenario 11: each size loaded by one child, then rewritten in one transaction by another. */
async function rewrites(run: RunContext): Promise<Results['rewrite']> {
  const measured: Results['rewrite'] = [];
  for (const megabytes of run.config.rewriteMB) {
    const root = mkdtempSync(path.join(run.work, 'rewrite-'));
    try {
      await step(`11. load ${megabytes} MB to rewrite`, { kind: 'rewrite-load', root, megabytes });
      const ran = await step(`11. rewrite ${megabytes} MB in one transaction`, {
        kind: 'rewrite',
        root,
      });
      measured.push({ megabytes, ...flat(ran) });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return measured;
}

import { createReadStream, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { ObjectStore } from '../../src/index.js';
import { buildFixture, removePrefix, sha256, type Fixture } from '../fixtures.js';
import type { DatabaseShape, InChild, Results, TransferRun } from '../results.js';
import type { Transfer } from '../scenarios/transfer.js';
import { as, flat, log, s3, step, type RunContext } from './steps.js';
import type { StoreSpec } from '../stores.js';

const MIB = 1048576;
/** Values of the import/export databases: a few rows fill a 64 KiB page, as in real files. */
const LARGE_VALUE_BYTES = 4000;

export function shape(name: DatabaseShape['name'], fixture: Fixture): DatabaseShape {
  const { rows, bytes, pageSize, pages, depth } = fixture;
  return { name, rows, bytes, pageSize, pages, depth };
}

/** What the import/export database adds to the results of scenarios 2, 3, 5 and 8. */
export interface TransferResults {
  transfer: Results['transfer'];
  pointLookup: Results['pointLookup'][number];
  singleInsert: Results['singleInsert'][number];
  wholeFile: Results['wholeFile'][number];
}

/**
 * Scenario 5, and scenario 8 at its size: import/export runs beside the raw rate, once more
 * with latency; s3lite's lookups and commits on the imported database and the whole-file
 * baseline on the same file; then, in a full run, the 1 GiB database for the memory target.
 */
export async function transferScenarios(run: RunContext): Promise<TransferResults> {
  const { config, store, root, work } = run;
  log(`building a ${config.transferMiB} MiB database`);
  const fixture = buildFixture(
    work,
    Math.ceil((config.transferMiB * MIB) / 4096),
    LARGE_VALUE_BYTES,
    config.transferPageSize,
  );
  const database = shape('large', fixture);
  const runs: TransferRun[] = [];
  let livePrefix = '';
  for (let i = 0; i < config.transferRuns; i++) {
    if (livePrefix) await removePrefix(store, livePrefix);
    livePrefix = `${root}/transfer-${i}`;
    const raw = await step(`5. raw PUT/GET rate, run ${i + 1}`, {
      kind: 'raw',
      prefix: `${root}/raw`,
      objects: Math.min(config.rawObjects, fixture.pages),
      objectBytes: config.transferPageSize,
      inFlight: config.rawInFlight,
    });
    const both = await importExport(run, `run ${i + 1}`, s3(0), fixture, livePrefix);
    runs.push({
      raw: flat(raw),
      ...both,
      importShare: both.import.miBps / raw.result.putMiBps,
      exportShare: both.export.miBps / raw.result.getMiBps,
    });
  }
  const slowPrefix = `${root}/transfer-latency`;
  const slow = await importExport(
    run,
    `${config.latencyMs} ms latency`,
    s3(config.latencyMs),
    fixture,
    slowPrefix,
  );
  await removePrefix(store, slowPrefix);

  const lookup = await step('8. point lookups, large database', {
    kind: 'point-lookup',
    store: s3(0),
    prefix: livePrefix,
    rows: fixture.rows,
    coldRuns: config.coldLookups,
    warmLookups: config.warmLookups,
  });
  const insert = await step('8. single-row inserts, large database', {
    kind: 'single-insert',
    store: s3(0),
    prefix: livePrefix,
    inserts: config.inserts,
  });
  await removePrefix(store, livePrefix);
  const object = `${root}/whole-file-large.sqlite`;
  await putFile(store, object, fixture.file);
  const whole = await step('8. whole-file baseline, large database', {
    kind: 'whole-file',
    latencyMs: 0,
    key: object,
    file: path.join(work, 'whole-file-copy.sqlite'),
    rows: fixture.rows,
    coldRuns: config.largeBaselineRuns,
    warmLookups: config.warmLookups,
    inserts: config.largeBaselineRuns,
  });
  await store.delete(object);
  rmSync(fixture.file);

  return {
    transfer: {
      database,
      runs,
      latency: { latencyMs: config.latencyMs, ...slow },
      large: config.largeMiB > 0 ? await largest(run) : undefined,
    },
    pointLookup: { ...s3(0), database, ...as('lookup', lookup) },
    singleInsert: { ...s3(0), database, ...as('insert', insert) },
    wholeFile: { latencyMs: 0, database, ...as('result', whole) },
  };
}

/** The memory target's database: imported and exported once. */
async function largest(run: RunContext): Promise<Results['transfer']['large']> {
  const { config } = run;
  log(`building a ${config.largeMiB} MiB database`);
  const fixture = buildFixture(
    run.work,
    Math.ceil((config.largeMiB * MIB) / 4096),
    LARGE_VALUE_BYTES,
    config.transferPageSize,
  );
  const prefix = `${run.root}/largest`;
  const both = await importExport(run, `${config.largeMiB} MiB`, s3(0), fixture, prefix);
  await removePrefix(run.store, prefix);
  rmSync(fixture.file);
  return { database: shape('large', fixture), ...both };
}

/** Upload a local file as one object (multipart), outside any measurement. */
export async function putFile(store: ObjectStore, key: string, file: string): Promise<void> {
  await store.putStream(key, createReadStream(file));
}

/**
 * Import `fixture` to `prefix`, then export it to a file, each in a process of its own; the
 * export must be the imported file, byte for byte.
 */
async function importExport(
  run: RunContext,
  label: string,
  spec: StoreSpec,
  fixture: Fixture,
  prefix: string,
): Promise<{ import: Transfer & InChild; export: Transfer & InChild }> {
  const size = `${Math.round(fixture.bytes / MIB)} MiB`;
  const imported = await step(`5. import ${size}, ${label}`, {
    kind: 'import',
    store: spec,
    prefix,
    file: fixture.file,
  });
  const file = path.join(run.work, 'exported.sqlite');
  const exported = await step(`5. export ${size}, ${label}`, {
    kind: 'export',
    store: spec,
    prefix,
    file,
  });
  if ((await sha256(file)) !== (await sha256(fixture.file))) {
    throw new Error(`the export of ${prefix} differs from the file imported there`);
  }
  rmSync(file);
  return { import: flat(imported), export: flat(exported) };
}

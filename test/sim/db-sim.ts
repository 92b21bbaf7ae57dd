import { open, type Database, type OpenOptions } from '../../src/db/index.js';
import { configureEngines, processEngines } from '../../src/db/engine-pool.js';
import type { ObjectStore } from '../../src/store/types.js';
import { PageCache } from '../../src/volume/index.js';
import { SeededRandom } from './scheduler.js';
import type { FaultRates } from './sim-store.js';
import { codeOf, describe, faultsFor, PREFIX, World, type RunReport } from './world.js';

/** What one seed decides about a run of the SQL simulation. */
export interface DbSimConfig {
  seed: number;
  writers: number;
  readers: number;
  txnsPerWriter: number;
  gc: boolean;
  checkpointInterval: number;
  faults: FaultRates;
  requestTimeoutMs: number;
  maxAttempts: number;
  /** Bytes of padding per row: larger rows spread transactions over more pages. */
  maxPad: number;
}

export interface DbSimResult extends RunReport {
  config: DbSimConfig;
}

type Outcome = 'committed' | 'conflict' | 'failed' | 'unknown';

export function dbConfigFor(seed: number): DbSimConfig {
  const r = new SeededRandom(seed ^ 0xdb);
  return {
    seed,
    writers: r.int(2, 3),
    readers: r.int(0, 1),
    txnsPerWriter: r.int(2, 4),
    gc: r.chance(0.6),
    checkpointInterval: r.int(1, 4),
    faults: faultsFor(r),
    requestTimeoutMs: r.pick([500, 2000]),
    maxAttempts: r.int(2, 5),
    maxPad: r.pick([10, 1000, 5000]),
  };
}

/**
 * The simulation through the SQL API: writers run `transaction()` bodies that insert one row
 * named after the transaction and bump a counter, readers check that the counter matches the
 * rows in one snapshot, GC runs with seeded rules. At the end the database must pass
 * `PRAGMA integrity_check` and hold exactly one row per acknowledged transaction, none for a
 * failed one, and never two for one (a body re-run after its first run committed).
 */
export async function runDbSeed(seed: number, keepTrace = false): Promise<DbSimResult> {
  const config = dbConfigFor(seed);
  // Loading WebAssembly is real I/O: done before simulated time starts, and that one engine
  // serves every connection, so that none is loaded while simulated time runs.
  configureEngines({ maxEngines: 1 });
  (await processEngines.acquire()).release();
  const report = await new DbSimulation(config, keepTrace).run();
  return { ...report, config };
}

class DbSimulation {
  private readonly world: World;
  private readonly outcomes = new Map<string, Outcome>();

  constructor(
    private readonly config: DbSimConfig,
    keepTrace: boolean,
  ) {
    this.world = new World(config.seed, config.faults, config, keepTrace);
  }

  async run(): Promise<RunReport> {
    await this.world.drive(this.createDatabase());
    const actors = this.world.cast(
      this.config,
      (i) => this.writer(i),
      (i) => this.reader(i),
    );
    return this.world.run(
      actors,
      async () => void this.world.newCreations(),
      () => this.finalCheck(),
    );
  }

  private options(): OpenOptions {
    return {
      layout: 's3lite',
      cache: new PageCache(4 << 20),
      checkpointInterval: this.config.checkpointInterval,
      maxRetries: 8,
      clock: this.world.scheduler,
      random: this.world.random,
    };
  }

  private connect(store: ObjectStore): Promise<Database> {
    return open({ store, prefix: PREFIX }, this.options());
  }

  private async createDatabase(): Promise<void> {
    const db = await this.connect(this.world.bucket);
    await db.exec(
      'CREATE TABLE t(label TEXT, pad TEXT); CREATE TABLE c(id INTEGER PRIMARY KEY, n INTEGER);' +
        'INSERT INTO c VALUES (1, 0);',
    );
    await db.close();
  }

  private async writer(index: number): Promise<void> {
    const who = `w${index}`;
    const store = this.world.connection(who);
    let db: Database | undefined;
    for (let n = 0; n < this.config.txnsPerWriter && !this.world.failed; n++) {
      await this.world.pause(400);
      db ??= await this.world.unlessUnavailable(`${who} opening`, () => this.connect(store));
      if (!db) continue;
      const label = `${who}.${n}`;
      const pad = 'x'.repeat(this.world.random.int(0, this.config.maxPad));
      const from = store.logPosition;
      try {
        await db.transaction(async (tx) => {
          await tx.run('INSERT INTO t VALUES (?, ?)', [label, pad]);
          await tx.run('UPDATE c SET n = n + 1 WHERE id = 1');
        });
        this.settle(label, 'committed');
      } catch (error) {
        const code = codeOf(error);
        if (code === 'CONFLICT') this.settle(label, 'conflict', error);
        else if (code === 'UNKNOWN_OUTCOME') {
          this.settle(label, 'unknown', error);
          this.world.checkUnknowable(store, from, label);
        } else {
          this.world.expectUnavailable(error, `${label} committing`);
          this.settle(label, 'failed', error);
        }
      }
    }
    await db?.close();
  }

  private async reader(index: number): Promise<void> {
    const who = `r${index}`;
    const store = this.world.connection(who);
    let db: Database | undefined;
    while (this.world.writersLeft > 0 && !this.world.failed) {
      await this.world.pause(600);
      db ??= await this.world.unlessUnavailable(`${who} opening`, () => this.connect(store));
      if (!db) continue;
      try {
        const [row] = await db.query<{ rows: number; n: number }>(
          'SELECT (SELECT count(*) FROM t) AS rows, (SELECT n FROM c WHERE id = 1) AS n',
        );
        if (row?.rows !== row?.n) {
          this.world.violate(
            'every read sees one committed snapshot',
            `${who} counted ${row?.rows} rows but the counter says ${row?.n}`,
          );
        }
      } catch (error) {
        if (codeOf(error) !== 'SNAPSHOT_EXPIRED')
          this.world.expectUnavailable(error, `${who} reading`);
      }
    }
    await db?.close();
  }

  private settle(label: string, outcome: Outcome, error?: unknown): void {
    this.outcomes.set(label, outcome);
    this.world.count(outcome);
    this.world.network.note(`${label} ${outcome}${error ? ` ${describe(error)}` : ''}`);
  }

  /** integrity_check ok; one row per acknowledged transaction, none per failed one, never two. */
  private async finalCheck(): Promise<void> {
    const db = await this.connect(this.world.bucket);
    try {
      const integrity = await db.query<{ integrity_check: string }>('PRAGMA integrity_check');
      if (integrity[0]?.integrity_check !== 'ok') {
        this.world.violate('integrity_check ok', JSON.stringify(integrity));
      }
      const rows = await db.query<{ label: string; copies: number }>(
        'SELECT label, count(*) AS copies FROM t GROUP BY label',
      );
      const copies = new Map(rows.map((r) => [r.label, r.copies]));
      for (const [label, count] of copies) {
        if (count > 1) {
          this.world.violate('a committed body never runs again', `${label} has ${count} rows`);
        }
      }
      for (const [label, outcome] of this.outcomes) {
        const present = copies.get(label) ?? 0;
        const expected = outcome === 'committed' ? 1 : outcome === 'unknown' ? present : 0;
        if (present !== expected) {
          this.world.violate(
            'row counts match acknowledged transactions',
            `${label} was ${outcome} but has ${present} rows`,
          );
        }
      }
      const [counter] = await db.query<{ n: number }>('SELECT n FROM c WHERE id = 1');
      const total = rows.reduce((sum, r) => sum + r.copies, 0);
      if (counter?.n !== total) {
        this.world.violate(
          'row counts match acknowledged transactions',
          `counter ${counter?.n}, rows ${total}`,
        );
      }
    } catch (error) {
      this.world.violate('the database reads back', describe(error));
    } finally {
      await db.close();
    }
  }
}

import { runDbSeed } from './db-sim.js';
import type { RunReport } from './world.js';
import { runSeed } from './volume-sim.js';

export type AnyResult = RunReport;

/** Run one seed of the volume simulation, or of the SQL one with `db`. */
export function runAny(seed: number, db: boolean, keepTrace: boolean): Promise<AnyResult> {
  return db ? runDbSeed(seed, keepTrace) : runSeed(seed, undefined, keepTrace);
}

/** The one-line command that replays a seed exactly, printing its trace. */
export function replayCommand(seed: number, db: boolean): string {
  return `npm run sim -- --seed ${seed}${db ? ' --db' : ''}`;
}

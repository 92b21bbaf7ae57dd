/**
 * The long-running simulation: `npm run sim -- --seeds N [--from S]`, `--hours H`, or
 * `--seed S` to replay one seed and print its whole trace. `--db` runs the SQL variant;
 * `--fairness [--writers W]` runs competing writers instead and prints, per seed, the commits
 * and the longest losing streak of each writer.
 * Prints one line per failing seed with the command that replays it; exits 1 if any failed.
 */
import { parseArgs } from 'node:util';
import { runFairnessSeed } from './fairness-sim.js';
import { replayCommand, runAny, type AnyResult } from './replay.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    from: { type: 'string', default: '1' },
    hours: { type: 'string' },
    seed: { type: 'string' },
    db: { type: 'boolean', default: false },
    fairness: { type: 'boolean', default: false },
    writers: { type: 'string', default: '4' },
  },
});
const db = values.db ?? false;

function report(result: AnyResult): void {
  if (result.violations.length === 0) return;
  console.log(`FAIL seed ${result.seed}: ${result.violations[0]}`);
  console.log(`  replay: ${replayCommand(result.seed, db)}`);
}

if (values.fairness) {
  const from = Number(values.seed ?? values.from);
  const count = values.seed === undefined ? Number(values.seeds ?? 6) : 1;
  for (let seed = from; seed < from + count; seed++) {
    const result = await runFairnessSeed(seed, Number(values.writers));
    console.log(
      `seed ${seed}: commits ${result.commits.join(' ')}; longest losing streaks ` +
        `${result.longestStreaks.join(' ')}${result.violations.length > 0 ? ` FAIL ${result.violations[0]}` : ''}`,
    );
  }
} else if (values.seed !== undefined) {
  const result = await runAny(Number(values.seed), db, true);
  process.stdout.write((result.trace ?? []).join(''));
  console.log(JSON.stringify({ ...result, trace: undefined }, null, 2));
  report(result);
  process.exitCode = result.violations.length > 0 ? 1 : 0;
} else {
  const from = Number(values.from);
  const count = values.seeds === undefined ? Infinity : Number(values.seeds);
  // The only wall-clock reading in the simulation: when a long run should stop.
  const stopAt = values.hours === undefined ? Infinity : Date.now() + Number(values.hours) * 3.6e6;
  let failed = 0;
  let ran = 0;
  /** Outcomes over all seeds: commits, conflicts, errors by code, gc runs. */
  const totals: Record<string, number> = {};
  for (let seed = from; ran < count && Date.now() < stopAt; seed++, ran++) {
    const result = await runAny(seed, db, false);
    if (result.violations.length > 0) failed += 1;
    for (const [outcome, n] of Object.entries(result.outcomes)) {
      totals[outcome] = (totals[outcome] ?? 0) + n;
    }
    report(result);
    if (ran % 100 === 99) console.log(`${ran + 1} seeds, ${failed} failed`);
  }
  console.log(`done: ${ran} seeds from ${from}, ${failed} failed`);
  console.log(`outcomes: ${JSON.stringify(totals)}`);
  process.exitCode = failed > 0 ? 1 : 0;
}

/**
 * Scenario 11 of `npm run bench` (bench/scenarios/rewrite.ts) on its own: the peak RSS of
 * rewriting a whole database in ONE transaction, for each size given.
 *
 *   npx tsx bench/rewrite-memory.ts [megabytes…]      default: 100 300
 *
 * `REWRITE_BUFFER_MIB=16` runs the rewrite with a 16 MiB page cache and write buffer instead
 * of the defaults (64 MiB each), to see what the options bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runChild } from './runner/spawn.js';

const sizes = process.argv.slice(2).map(Number);
const bufferMiB = process.env.REWRITE_BUFFER_MIB;
for (const megabytes of sizes.length > 0 ? sizes : [100, 300]) {
  const root = mkdtempSync(path.join(tmpdir(), 's3lite-rewrite-'));
  try {
    await runChild({ kind: 'rewrite-load', root, megabytes });
    const ran = await runChild({
      kind: 'rewrite',
      root,
      bufferMiB: bufferMiB === undefined ? undefined : Number(bufferMiB),
    });
    console.log(
      `${megabytes} MB rewritten in one transaction: ` +
        JSON.stringify({
          peakRssMiB: Math.round(ran.maxRssMiB),
          seconds: Number(ran.result.seconds.toFixed(1)),
        }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

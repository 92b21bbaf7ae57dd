/**
 * s3lite's benchmarks: what every operation costs in requests, bytes, time and memory, beside
 * the whole-file approach and the server's own ceiling, in one run.
 *
 *   npm run bench                   the full run: bench/results.json, bench/RESULTS.md and
 *                                   bench/charts/*.svg
 *   npm run bench -- --quick        every scenario on small data (CI smoke test, < 3 minutes),
 *                                   written to bench/quick/ so that the full results stay
 *   npm run bench -- --out <dir>    write somewhere else
 *   npm run bench -- --render       no measuring: RESULTS.md, charts and targets again from
 *                                   the results.json already in the output directory
 *
 * Uses the S3 server named by S3_ENDPOINT, or starts one with scripts/start-minio.sh (and
 * stops it afterwards, unless it was already running). Missed targets are reported, never
 * fatal: the run fails only on errors.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { charts } from './report/charts.js';
import { FULL, QUICK } from './config.js';
import { runInfo } from './runner/machine.js';
import { keptSections } from './report/kept-sections.js';
import { report } from './report/report.js';
import type { Results } from './results.js';
import { ensureServer, stopServer } from './runner/server.js';
import { runSuite } from './runner/suite.js';
import { evaluateTargets } from './report/targets.js';

// The pinned AWS SDK works on Node 20; its notice about 2027 releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The credential chain must never reach for an instance-metadata endpoint.
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const outAt = process.argv.indexOf('--out');
const out =
  outAt > 0
    ? path.resolve(process.argv[outAt + 1] ?? '.')
    : quick
      ? path.join(here, 'quick')
      : here;

/** A generated file, formatted as `npm run lint` (prettier --check) expects it. */
async function writeFormatted(file: string, text: string): Promise<void> {
  const options = await prettier.resolveConfig(file);
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

/** Write results.json, the charts and RESULTS.md, with the targets evaluated afresh. */
async function write(measured: Omit<Results, 'targets'>): Promise<Results> {
  const results: Results = { ...measured, targets: evaluateTargets(measured) };
  const chartFiles = charts(results);
  const chartDir = path.join(out, 'charts');
  rmSync(chartDir, { recursive: true, force: true });
  mkdirSync(chartDir, { recursive: true });
  for (const chart of Object.values(chartFiles)) {
    writeFileSync(path.join(chartDir, chart.file), chart.svg);
  }
  await writeFormatted(path.join(out, 'results.json'), JSON.stringify(results));
  const resultsMd = path.join(out, 'RESULTS.md');
  const previous = existsSync(resultsMd) ? readFileSync(resultsMd, 'utf8') : '';
  await writeFormatted(resultsMd, report(results, chartFiles) + keptSections(previous));
  return results;
}

async function measure(): Promise<Results> {
  const info = runInfo();
  const loadAtStart = loadavg();
  const server = ensureServer();
  try {
    const measured = await runSuite(quick ? QUICK : FULL);
    return write({
      ...info,
      server: { endpoint: server.endpoint, backend: server.backend },
      load: { start: loadAtStart, end: loadavg() },
      ...measured,
    });
  } finally {
    stopServer(server);
  }
}

const results = process.argv.includes('--render')
  ? await write(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results)
  : await measure();
for (const t of results.targets) {
  process.stderr.write(`[bench] ${t.status}: ${t.goal} (${t.where}): ${t.measured}\n`);
}
process.stderr.write(
  `[bench] ${results.config.mode} run: ${results.durationSeconds.toFixed(0)} s; results in ${out}\n`,
);

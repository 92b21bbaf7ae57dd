import { bytes, kib, num, pct } from './format.js';
import type { Results } from '../results.js';
import { quantile } from '../stats.js';
import { barChart, lineChart, type Series } from './svg.js';
import { coldLookup, insertAt, latencyRows, lookupAt, scanAt, wholeFileAt } from './views.js';

/** One chart of the report: its file name (under charts/) and SVG text. */
export interface Chart {
  file: string;
  svg: string;
}

/** Every chart of the report, from one run's results. */
export function charts(r: Results): Record<string, Chart> {
  return {
    bulkLoad: { file: 'bulk-load.svg', svg: bulkLoad(r) },
    lookups: { file: 'lookups-by-page-size.svg', svg: lookups(r) },
    scans: { file: 'scans-by-page-size.svg', svg: scans(r) },
    inserts: { file: 'single-row-commits.svg', svg: inserts(r) },
    baselineBytes: { file: 'whole-file-bytes.svg', svg: baselineBytes(r) },
    baselineTime: { file: 'whole-file-time.svg', svg: baselineTime(r) },
    latency: { file: 'latency-bounds.svg', svg: latency(r) },
    transfer: { file: 'import-export.svg', svg: transfer(r) },
    memory: { file: 'peak-rss.svg', svg: memory(r) },
    concurrency: { file: 'concurrent-writers.svg', svg: concurrency(r) },
  };
}

const latencyName = (latencyMs: number) =>
  latencyMs ? `${latencyMs} ms latency` : 'no added latency';

function bulkLoad(r: Results): string {
  const first = r.bulkLoad[0];
  return barChart({
    title: `Bulk load of ${num(r.config.rows)} rows of ~100 bytes`,
    yLabel: 'seconds (median)',
    categories: (first?.loads ?? []).map(
      (l) =>
        `${l.transactions} transaction${l.transactions > 1 ? 's' : ''}\n${num(l.load.requests.put)} PUTs, ${num(l.load.requests.get)} GETs`,
    ),
    series: r.bulkLoad.map((b) => ({
      name: latencyName(b.latencyMs),
      values: b.loads.map((l) => l.load.time.median / 1000),
    })),
  });
}

function pageSizeCategories(r: Results): string[] {
  return r.config.pageSizes.map((p) => `${kib(p)} pages`);
}

function lookups(r: Results): string {
  const series: Series[] = [];
  for (const latencyMs of [0, r.config.latencyMs]) {
    const at = r.config.pageSizes.map((p) => lookupAt(r, 'small', latencyMs, p));
    series.push(
      {
        name: `cold (open + lookup), ${latencyName(latencyMs)}`,
        values: at.map((p) => (p ? coldLookup(p.lookup.open, p.lookup.cold).ms : null)),
      },
      {
        name: `warm, ${latencyName(latencyMs)}`,
        values: at.map((p) => p?.lookup.warm.time.median ?? null),
      },
    );
  }
  return lineChart({
    title: `Point lookup by primary key, ${num(r.config.rows)} rows`,
    yLabel: 'milliseconds (median)',
    xLabel: 'page size',
    categories: pageSizeCategories(r),
    series,
    log: true,
  });
}

function scans(r: Results): string {
  const series: Series[] = [];
  for (const latencyMs of [0, r.config.latencyMs]) {
    for (const readAhead of [true, false]) {
      series.push({
        name: `read-ahead ${readAhead ? 'on' : 'off'}, ${latencyName(latencyMs)}`,
        values: r.config.pageSizes.map((p) => {
          const s = scanAt(r, 's3', latencyMs, p)?.scan;
          return (readAhead ? s?.readAhead : s?.noReadAhead)?.time.median ?? null;
        }),
      });
    }
  }
  return lineChart({
    title: `Cold full scan (count, sum of lengths), ${num(r.config.rows)} rows`,
    yLabel: 'milliseconds (median)',
    xLabel: 'page size',
    categories: pageSizeCategories(r),
    series,
    log: true,
  });
}

function inserts(r: Results): string {
  const lines: Array<[string, number[] | undefined]> = [];
  for (const latencyMs of [0, r.config.latencyMs]) {
    lines.push(
      [
        `s3lite, ${latencyName(latencyMs)}`,
        insertAt(r, 'small', latencyMs)?.insert.commits.map((c) => c.ms),
      ],
      [
        `whole file, ${latencyName(latencyMs)}`,
        wholeFileAt(r, 'small', latencyMs)?.result.insertMs,
      ],
    );
  }
  const large = r.transfer.database;
  lines.push(
    [`s3lite, ${bytes(large.bytes)}`, insertAt(r, 'large', 0)?.insert.commits.map((c) => c.ms)],
    [`whole file, ${bytes(large.bytes)}`, wholeFileAt(r, 'large', 0)?.result.insertMs],
  );
  const count = Math.max(...lines.map(([, v]) => v?.length ?? 0));
  return lineChart({
    title: 'Single-row INSERT, each its own commit',
    yLabel: 'milliseconds per commit',
    xLabel: `commit number (small database: ${bytes(r.databases[0]?.bytes ?? 0)})`,
    categories: Array.from({ length: count }, (_, i) => String(i + 1)),
    series: lines.map(([name, values]) => ({
      name,
      values: Array.from({ length: count }, (_, i) => values?.[i] ?? null),
    })),
    log: true,
  });
}

const BASELINE_OPS = ['cold lookup\n(open + lookup)', 'warm lookup', 'single-row commit'];

/** Per operation: s3lite's and the whole-file approach's figure, on one database and latency. */
function baselinePair(
  r: Results,
  name: 'small' | 'large',
  latencyMs: number,
  pick: (op: { ms: number; bytes: number }) => number,
): [Series, Series] | [] {
  const lookup = lookupAt(r, name, latencyMs, name === 'small' ? r.config.pageSizes[0] : undefined);
  const insert = insertAt(r, name, latencyMs);
  const whole = wholeFileAt(r, name, latencyMs);
  if (!lookup || !insert || !whole) return [];
  const db = bytes(lookup.database.bytes);
  const suffix = latencyMs ? `, ${latencyMs} ms` : '';
  const moved = (o: { time: { median: number }; bytesIn: number; bytesOut: number }) => ({
    ms: o.time.median,
    bytes: o.bytesIn + o.bytesOut,
  });
  return [
    {
      name: `s3lite, ${db}${suffix}`,
      values: [
        pick(coldLookup(lookup.lookup.open, lookup.lookup.cold)),
        pick(moved(lookup.lookup.warm)),
        pick(moved(insert.insert.insert)),
      ],
    },
    {
      name: `whole file, ${db}${suffix}`,
      values: [
        pick(moved(whole.result.cold)),
        pick(moved(whole.result.warm)),
        pick(moved(whole.result.insert)),
      ],
    },
  ];
}

function baselineBytes(r: Results): string {
  const kibOf = (o: { bytes: number }) => o.bytes / 1024;
  // A warm lookup moves no body either way (a 404 probe, or a HEAD): nothing to draw.
  const withoutWarm = (series: Series): Series => ({
    ...series,
    values: series.values.filter((_, i) => i !== 1),
  });
  return barChart({
    title: 'Bytes moved per operation: s3lite vs the whole-file approach',
    yLabel: 'KiB in + out per operation',
    categories: BASELINE_OPS.filter((_, i) => i !== 1),
    series: [...baselinePair(r, 'small', 0, kibOf), ...baselinePair(r, 'large', 0, kibOf)].map(
      withoutWarm,
    ),
    log: true,
  });
}

function baselineTime(r: Results): string {
  const msOf = (o: { ms: number }) => o.ms;
  return barChart({
    title: 'Time per operation: s3lite vs the whole-file approach',
    yLabel: 'milliseconds (median)',
    categories: BASELINE_OPS,
    series: [
      ...baselinePair(r, 'small', 0, msOf),
      ...baselinePair(r, 'small', r.config.latencyMs, msOf),
      ...baselinePair(r, 'large', 0, msOf),
    ],
    log: true,
  });
}

function latency(r: Results): string {
  const rows = latencyRows(r);
  return barChart({
    title: `With ${r.config.latencyMs} ms added to every request: measured vs lower bounds`,
    yLabel: 'milliseconds',
    categories: rows.map((row) => row.label.replace(', ', '\n')),
    series: [
      { name: 'measured (median)', values: rows.map((row) => row.ms) },
      { name: `requests ÷ ${r.concurrency} × latency`, values: rows.map((row) => row.bound) },
      { name: 'sequential round trips × latency', values: rows.map((row) => row.chainMs) },
    ],
    log: true,
  });
}

function transfer(r: Results): string {
  const median = (values: number[]) => quantile(values, 0.5);
  const runs = r.transfer.runs;
  const slow = r.transfer.latency;
  const raw = r.config.rawInFlight.map((inFlight, i) => ({
    name: `raw, ${inFlight} in flight`,
    values: [
      median(runs.map((x) => x.raw.levels[i]?.putMiBps ?? 0)),
      median(runs.map((x) => x.raw.levels[i]?.getMiBps ?? 0)),
    ],
  }));
  return barChart({
    title: `Import and export of ${bytes(r.transfer.database.bytes)} (${kib(r.transfer.database.pageSize)} pages) beside the server's raw rate`,
    yLabel: 'MiB/s (median)',
    categories: ['PUT: raw objects / import', 'GET: raw objects / export'],
    series: [
      ...raw,
      {
        name: 's3lite',
        values: [median(runs.map((x) => x.import.miBps)), median(runs.map((x) => x.export.miBps))],
      },
      {
        name: `s3lite, ${slow.latencyMs} ms latency`,
        values: [slow.import.miBps, slow.export.miBps],
      },
    ],
  });
}

function memory(r: Results): string {
  const entries: Array<[string, number | undefined]> = [
    ['idle\nprocess', r.idleRssMiB],
    ['bulk\nload', r.bulkLoad[0]?.maxRssMiB],
    ['point\nlookups', lookupAt(r, 'small', 0, r.config.pageSizes[0])?.maxRssMiB],
    ['full\nscans', scanAt(r, 's3', 0, r.config.pageSizes[0] as number)?.maxRssMiB],
    ['single-row\ninserts', insertAt(r, 'small', 0)?.maxRssMiB],
    [`import\n${bytes(r.transfer.database.bytes)}`, r.transfer.runs[0]?.import.maxRssMiB],
    [`export\n${bytes(r.transfer.database.bytes)}`, r.transfer.runs[0]?.export.maxRssMiB],
  ];
  const large = r.transfer.large;
  if (large) {
    entries.push(
      [`import\n${bytes(large.database.bytes)}`, large.import.maxRssMiB],
      [`export\n${bytes(large.database.bytes)}`, large.export.maxRssMiB],
    );
  }
  entries.push(
    [`whole file\n${bytes(r.transfer.database.bytes)}`, wholeFileAt(r, 'large', 0)?.maxRssMiB],
    ['writer\nprocess', r.concurrencyRuns[0]?.maxRssMiB],
  );
  return barChart({
    title: 'Peak RSS of each scenario’s process (Node, tsx, AWS SDK and SQLite included)',
    yLabel: 'MiB',
    categories: entries.map(([label]) => label),
    series: [{ name: 'peak RSS', values: entries.map(([, v]) => v ?? null) }],
    references: [{ value: 256, label: 'target for a 1 GiB import/export: 256 MiB' }],
  });
}

function concurrency(r: Results): string {
  return barChart({
    title: `${r.concurrencyRuns[0]?.writers ?? 0} writer processes committing to one database`,
    yLabel: 'commits per second (all writers)',
    categories: r.concurrencyRuns.map(
      (c) => `${latencyName(c.latencyMs)}\n${pct(c.conflictRate)} of attempts lost a race`,
    ),
    series: [
      { name: 'commits per second', values: r.concurrencyRuns.map((c) => c.commitsPerSecond) },
    ],
  });
}

import { bytes, kib, ms, num, pct } from './format.js';
import type { DatabaseShape, Results } from '../results.js';
import type { CommitCost } from '../scenarios/single-insert.js';
import { quantile } from '../stats.js';
import { throughputBound } from './views.js';

/** One goal of the issue, checked against this run. */
export interface Target {
  goal: string;
  /** Which database or variant the check is about. */
  where: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured';
  /** Why a goal was missed, from what the run itself recorded. */
  why?: string;
}

type Measured = Omit<Results, 'targets'>;

const RSS_LIMIT_MIB = 256;

function describe(db: DatabaseShape): string {
  return `${bytes(db.bytes)}, ${kib(db.pageSize)} pages, B-tree depth ${db.depth}`;
}

export function evaluateTargets(r: Measured): Target[] {
  return [
    ...coldLookups(r),
    ...warmLookups(r),
    ...singleRowCommits(r),
    ...transferRates(r),
    transferMemory(r),
    rewriteMemory(r),
    ...latencyScans(r),
    ...metaStoreTargets(r),
  ];
}

function metaStoreTargets({ metaStore: m }: Measured): Target[] {
  const where = `${num(m.records)} records, ${num(m.pages)} pages of ${kib(m.pageSize)}`;
  const hot = m.searches[0];
  const share = m.autoSync.bytesOut / m.wholeFileWrite.bytesOut;
  // The final sync() may commit a partial interval.
  const intervals = Math.ceil(m.grouped.run.time.median / m.grouped.syncIntervalMs) + 1;
  return [
    {
      goal: 'Metadata store: an autoSync write ≤ pages changed + 1 PUTs (one commit each), checkpoints aside',
      where,
      measured: `PUTs = pages changed + ${m.autoSyncExtraPuts} at most, besides ${m.autoSyncCheckpointPuts} checkpoint PUTs in all; ${m.autoSyncCommits} commits for ${m.autoSync.runs} writes`,
      status: m.autoSyncExtraPuts <= 1 && m.autoSyncCommits === m.autoSync.runs ? 'met' : 'missed',
    },
    {
      goal: 'Metadata store: syncInterval makes at most one commit per interval',
      where,
      measured: `${m.grouped.writes} writes in ${ms(m.grouped.run.time.median)} (intervals of ${m.grouped.syncIntervalMs} ms): ${m.grouped.commits} commit(s), ${num(m.grouped.run.requests.put / m.grouped.writes)} PUTs per write`,
      status: m.grouped.commits <= intervals ? 'met' : 'missed',
    },
    {
      goal: 'Metadata store: a write uploads ≤ 1/10 of the whole-file write',
      where,
      measured: `${bytes(m.autoSync.bytesOut)} vs ${bytes(m.wholeFileWrite.bytesOut)} (${pct(share)})`,
      status: share <= 0.1 ? 'met' : 'missed',
    },
    {
      goal: 'Metadata store: a cold hot-field search (open included) beats downloading the file',
      where,
      measured: hot
        ? `${ms(hot.cold.time.median)} (${num(hot.cold.totalRequests)} requests) vs ${ms(m.download.time.median)} to download ${bytes(m.download.bytesIn)}`
        : 'no search ran',
      status: hot && hot.cold.time.median < m.download.time.median ? 'met' : 'missed',
      ...(hot &&
        hot.cold.time.median >= m.download.time.median && {
          why: `the file is ${bytes(m.download.bytesIn)}: at this size one GET of all of it is quicker than ${num(hot.cold.totalRequests)} page requests`,
        }),
    },
  ];
}

function coldLookups(r: Measured): Target[] {
  return r.pointLookup
    .filter((p) => p.latencyMs === 0)
    .map(({ database, lookup }) => {
      const { get, list } = lookup.cold.maxRequests;
      return {
        goal: 'Cold point lookup ≤ B-tree depth + 2 GETs, 0 LIST',
        where: describe(database),
        measured: `at most ${get} GETs (limit ${database.depth + 2}), ${list} LIST, over ${lookup.cold.runs} cold connections; opening took ${num(lookup.open.requests.get)} GETs more`,
        status: get <= database.depth + 2 && list === 0 ? 'met' : 'missed',
      };
    });
}

function warmLookups(r: Measured): Target[] {
  return r.pointLookup
    .filter((p) => p.latencyMs === 0)
    .map(({ database, lookup }) => ({
      goal: 'Warm point lookup ≤ 1 request',
      where: describe(database),
      measured: `at most ${lookup.warm.maxTotalRequests} request over ${lookup.warm.runs} lookups of cached rows (rows not yet cached: ${num(lookup.firstPass.totalRequests)} on average)`,
      status: lookup.warm.maxTotalRequests <= 1 ? 'met' : 'missed',
    }));
}

function singleRowCommits(r: Measured): Target[] {
  return r.singleInsert
    .filter((s) => s.latencyMs === 0)
    .map(({ database, insert }) => {
      const commits = insert.commits;
      const extra = (c: CommitCost) => c.put - c.changedPages;
      const [first, ...later] = commits;
      const laterExtra = Math.max(...later.map(extra));
      const gets = Math.max(...commits.map((c) => c.get));
      const probes = Math.min(...commits.map((c) => c.headProbes));
      const lists = Math.max(...commits.map((c) => c.list));
      const changed = commits.map((c) => c.changedPages);
      const firstNote =
        first && extra(first) > laterExtra ? `; the process's first commit: + ${extra(first)}` : '';
      const target: Target = {
        goal: 'Single-row commit ≤ pages changed + 1 PUTs, 0 LIST, 0 GET',
        where: describe(database),
        measured: `${commits.length} commits (${Math.min(...changed)}–${Math.max(...changed)} pages changed): PUTs = pages changed + ${laterExtra}${firstNote}; ${gets} GETs and ${lists} LIST per commit`,
        status:
          Math.max(...commits.map(extra)) <= 1 && gets === 0 && lists === 0 ? 'met' : 'missed',
      };
      const why: string[] = [];
      if (gets > 0 && probes === gets) {
        why.push(
          `every GET is a probe of the next commit record (commits/<head + 1>, a 404): one when ` +
            `the read lock is taken, to learn whether another writer moved the head, and one at ` +
            `the write lock (BEGIN IMMEDIATE), to fail at once rather than after the upload if ` +
            `one did — the design makes these 2 GETs per write transaction`,
        );
      } else if (gets > 0) {
        why.push(
          `${probes} of the ${gets} GETs are probes of the next commit record; the rest read pages`,
        );
      }
      if (firstNote) {
        why.push(
          `the first commit of a process also PUTs a create-only probe of the marker ` +
            `(s3lite.json), the once-per-store check that the store honours conditional writes`,
        );
      }
      if (why.length) target.why = `${why.join('; ')}.`;
      return target;
    });
}

function transferRates(r: Measured): Target[] {
  const { runs, database } = r.transfer;
  const check = (
    direction: 'import' | 'export',
    rawName: string,
    share: (run: (typeof runs)[number]) => number,
    rawRate: (run: (typeof runs)[number]) => number,
  ): Target => {
    const shares = runs.map(share);
    const median = quantile(shares, 0.5);
    const rates = runs.map((run) => run[direction].miBps);
    return {
      goal: `${direction === 'import' ? 'Import' : 'Export'} ≥ 50% of the server's raw parallel ${rawName} rate`,
      where: `${describe(database)}; ${runs.length} run(s), each beside a raw measurement (the best of ${r.config.rawInFlight.join(' and ')} in flight)`,
      measured: `median ${pct(median)} (${runs.map((run) => `${num(run[direction].miBps)} of ${num(rawRate(run))} MiB/s`).join('; ')}); median ${num(quantile(rates, 0.5))} MiB/s`,
      status: median >= 0.5 ? 'met' : 'missed',
    };
  };
  return [
    check(
      'import',
      'PUT',
      (run) => run.importShare,
      (run) => run.raw.putMiBps,
    ),
    check(
      'export',
      'GET',
      (run) => run.exportShare,
      (run) => run.raw.getMiBps,
    ),
  ];
}

function transferMemory(r: Measured): Target {
  const goal = `Import/export peak RSS < ${RSS_LIMIT_MIB} MiB for a 1 GiB database`;
  const floor = `an idle child process: ${num(r.idleRssMiB)} MiB`;
  const large = r.transfer.large;
  if (!large) {
    const run = r.transfer.runs[0];
    return {
      goal,
      where: 'not run in quick mode',
      measured: run
        ? `at ${bytes(r.transfer.database.bytes)}: import ${num(run.import.maxRssMiB)} MiB, export ${num(run.export.maxRssMiB)} MiB (${floor})`
        : 'not measured',
      status: 'not measured',
    };
  }
  const worst = Math.max(large.import.maxRssMiB, large.export.maxRssMiB);
  return {
    goal,
    where: describe(large.database),
    measured: `import ${num(large.import.maxRssMiB)} MiB, export ${num(large.export.maxRssMiB)} MiB (${floor})`,
    status: worst < RSS_LIMIT_MIB ? 'met' : 'missed',
  };
}

/** Invariant 11: a transaction of any size runs in memory bounded by the (default) options. */
function rewriteMemory(r: Measured): Target {
  const goal = `A 300 MB rewrite in one transaction, default options: peak RSS < ${RSS_LIMIT_MIB} MiB`;
  // Results written before scenario 11 existed have none.
  const largest = (r.rewrite ?? []).reduce<Measured['rewrite'][number] | undefined>(
    (best, run) => (best && best.megabytes >= run.megabytes ? best : run),
    undefined,
  );
  if (!largest || largest.megabytes < 300) {
    return {
      goal,
      where: largest ? `${largest.megabytes} MB only (quick mode)` : 'not run',
      measured: largest ? `${num(largest.maxRssMiB)} MiB` : 'not measured',
      status: 'not measured',
    };
  }
  return {
    goal,
    where: `${largest.megabytes} MB of 1 KB rows, 4 KiB pages, FileStore`,
    measured: `${num(largest.maxRssMiB)} MiB (an idle child process: ${num(r.idleRssMiB)} MiB)`,
    status: largest.maxRssMiB < RSS_LIMIT_MIB ? 'met' : 'missed',
  };
}

function latencyScans(r: Measured): Target[] {
  const pageSize = r.config.pageSizes[0];
  return r.scan
    .filter((s) => s.latencyMs > 0 && s.database.pageSize === pageSize)
    .map((s) => {
      const runs = s.scan.readAhead;
      const bound = throughputBound(runs.totalRequests, r.concurrency, s.latencyMs);
      const ratio = runs.time.median / bound;
      const target: Target = {
        goal: `With ${s.latencyMs} ms injected latency, a cold full scan within 2× of the lower bound (requests ÷ ${r.concurrency} in flight × latency)`,
        where: `${describe(s.database)}, read-ahead on, ${s.backend === 's3' ? 'on the S3 server' : 'on a MemoryStore (no server)'}`,
        measured: `median ${ms(runs.time.median)} vs bound ${ms(bound)} (${num(runs.totalRequests)} requests): ${num(ratio)}×; ${runs.roundTrips} sequential round trips`,
        status: ratio <= 2 ? 'met' : 'missed',
      };
      if (ratio > 2) target.why = scanDelay(r, s, bound);
      return target;
    });
}

/**
 * Where a latency scan's time went beyond the bound: the chain of sequential round trips, the
 * server's own speed (the same scan without latency), and CPU — from what the run recorded.
 */
function scanDelay(r: Measured, s: Measured['scan'][number], bound: number): string {
  const runs = s.scan.readAhead;
  const chain = runs.roundTrips * s.latencyMs;
  const parts = [
    `${runs.roundTrips} sequential round trips cost ${ms(chain)} (${num(chain / bound)}× the bound: read-ahead starts at 2 pages and doubles up to 64, again after each non-sequential read)`,
  ];
  const unslowed = r.scan.find(
    (o) =>
      o.backend === s.backend && o.latencyMs === 0 && o.database.pageSize === s.database.pageSize,
  );
  if (unslowed) {
    const t = unslowed.scan.readAhead.time.median;
    parts.push(
      `the same scan without added latency takes ${ms(t)} on this server (${num((runs.totalRequests / t) * 1000)} GETs/s, ${num(t / bound)}× the bound): its throughput, not the latency, sets the pace`,
    );
  }
  parts.push(
    `the process used ${ms(runs.cpuMs)} of CPU during the scan, while the machine's load average was ${num(r.load.start[0] ?? 0)}–${num(r.load.end[0] ?? 0)} on ${r.machine.cores} cores, so part of the time is waiting for a core`,
  );
  return `${parts.join('; ')}.`;
}

import { bytes, kib, ms, num, pct } from './format.js';
import type { OpResult } from '../measure.js';
import type { Results, TransferRun } from '../results.js';
import type { RawLevel } from '../scenarios/transfer.js';
import type { Chart } from './charts.js';
import { quantile } from '../stats.js';
import {
  coldLookup,
  dbLabel,
  insertAt,
  latencyRows,
  lookupAt,
  scanAt,
  wholeFileAt,
} from './views.js';

const STATUS = { met: '✅ met', missed: '❌ missed', 'not measured': '— not measured' } as const;

/** bench/RESULTS.md: every figure of the run, with its charts (under charts/). */
export function report(r: Results, chartFiles: Record<string, Chart>): string {
  const chart = (key: string, alt: string) => {
    const c = chartFiles[key];
    return c ? `![${alt}](charts/${c.file})\n` : '';
  };
  const L = r.config.latencyMs;
  const sections = [
    header(r),
    targets(r),
    '## Headlines\n',
    headlines(r)
      .map((line) => `- ${line}`)
      .join('\n') + '\n',
    '## 1. Bulk load\n',
    chart('bulkLoad', 'bulk load time'),
    bulkLoad(r),
    '## 2. Point lookups by primary key (6: by page size)\n',
    `Cold: a new connection with an empty cache opens the database and looks up one row ` +
      `(${r.config.coldLookups} times, random keys). First pass: ${r.config.warmLookups} lookups ` +
      `of other rows on one connection (upper B-tree levels cached, leaves not). Warm: the same ` +
      `rows again (every page cached; only the probe for a newer commit remains).\n`,
    chart('lookups', 'point lookup time by page size'),
    lookups(r),
    '## 3. Single-row INSERT, each its own commit\n',
    chart('inserts', 'per-commit time'),
    inserts(r),
    '## 4. Cold full scan (6: by page size)\n',
    `\`${'SELECT count(*), sum(length(v)) FROM t'}\` on a new connection with an empty cache, ` +
      `read-ahead on (the default: up to 64 pages ahead) and off.\n`,
    chart('scans', 'scan time by page size'),
    scans(r),
    '## 5. Import and export, beside the server’s raw rate\n',
    chart('transfer', 'import and export rate'),
    transfer(r),
    `## 7. With ${L} ms added to every request\n`,
    latencyIntro(r),
    chart('latency', 'measured time vs lower bounds'),
    latency(r),
    '## 8. Baseline: the whole-file approach\n',
    baselineIntro(r),
    chart('baselineBytes', 'bytes per operation'),
    chart('baselineTime', 'time per operation'),
    baseline(r),
    '## 9. Concurrent writers\n',
    chart('concurrency', 'commits per second'),
    concurrency(r),
    '## 10. Metadata store\n',
    metaStore(r),
    '## 11. A whole database rewritten in one transaction\n',
    rewrite(r),
    '## Peak memory\n',
    chart('memory', 'peak RSS'),
    method(r),
  ];
  return sections.join('\n');
}

function header(r: Results): string {
  const m = r.machine;
  const quick =
    r.config.mode === 'quick'
      ? '\n> **Quick run** (`npm run bench -- --quick`): small data, mostly one run each — a smoke ' +
        'test, not the published figures.\n'
      : '';
  return `# s3lite benchmark results
${quick}
\`npm run bench\` (${r.config.mode} run) on ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit \`${r.commit.slice(0, 10)}\`${r.dirty ? ' with uncommitted changes' : ''}; it took ${num(r.durationSeconds / 60)} minutes.
Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}. S3 server: ${r.server.backend === 'unknown' ? 'an S3 server' : r.server.backend} at ${r.server.endpoint}, on the same machine (\`scripts/start-minio.sh\`). Load average at the start and end of the run: ${r.load.start.map(num).join(', ')} / ${r.load.end.map(num).join(', ')} — other work shared the cores, so times are noisy; request counts are exact and repeatable.

How to read the tables: times are the median and p95 (nearest rank) over the runs counted, and *CPU* the median CPU time the process used meanwhile (a time far above its CPU time and its round trips is mostly waiting: for the server, or for a core); requests are per operation as the server received them (every attempt; DELETE includes batch deletes); bytes are bodies in and out; *round trips* is the longest chain of requests each of which started after the previous one ended (with latency *L*, the operation cannot take less than round trips × *L*). Peak RSS is that of the process that ran the scenario: an idle one, with Node, tsx, the AWS SDK and SQLite loaded, peaks at ${num(r.idleRssMiB)} MiB. All figures are in [results.json](results.json).
`;
}

function targets(r: Results): string {
  const rows = r.targets.map(
    (t) => `| ${STATUS[t.status]} | ${t.goal} | ${t.where} | ${t.measured} |`,
  );
  const whys = r.targets.filter((t) => t.why).map((t) => `- *${t.goal}* (${t.where}): ${t.why}`);
  return `## Targets

| status | goal | where | measured |
| --- | --- | --- | --- |
${rows.join('\n')}

${whys.length ? `Why the misses:\n\n${whys.join('\n')}\n` : ''}`;
}

/** The figures the README states. */
function headlines(r: Results): string[] {
  const out: string[] = [];
  const base = r.config.pageSizes[0] as number;
  const lookup = lookupAt(r, 'small', 0, base);
  const whole = wholeFileAt(r, 'small', 0);
  const insert = insertAt(r, 'small', 0);
  if (lookup) {
    const c = lookup.lookup.cold;
    out.push(
      `Point lookup in ${num(lookup.database.rows)} rows (${dbLabel(lookup.database)}, B-tree depth ${lookup.database.depth}): ` +
        `${num(lookup.lookup.open.totalRequests)} GETs to open, ${num(c.maxRequests.get)} GETs cold, ` +
        `${num(lookup.lookup.warm.maxTotalRequests)} warm; ${bytes(lookup.lookup.open.bytesIn + c.bytesIn)} read for the first row.`,
    );
  }
  if (insert) {
    const c = insert.insert.commits;
    const steady = c.slice(1);
    out.push(
      `Single-row commit: ${num(
        quantile(
          steady.map((x) => x.put),
          0.5,
        ),
      )} PUTs ` +
        `(${num(
          quantile(
            steady.map((x) => x.changedPages),
            0.5,
          ),
        )} pages + the commit record), ` +
        `${num(
          quantile(
            c.map((x) => x.get),
            0.5,
          ),
        )} GETs, 0 LIST; ${bytes(insert.insert.insert.bytesOut)} uploaded, ` +
        `median ${ms(insert.insert.insert.time.median)}.`,
    );
  }
  if (whole && insert) {
    out.push(
      `The whole-file approach uploads ${bytes(whole.result.insert.bytesOut)} per single-row commit ` +
        `(${num(whole.result.insert.bytesOut / Math.max(1, insert.insert.insert.bytesOut))}× s3lite) ` +
        `and downloads ${bytes(whole.result.cold.bytesIn)} before its first lookup.`,
    );
  }
  const largeWhole = wholeFileAt(r, 'large', 0);
  const largeInsert = insertAt(r, 'large', 0);
  if (largeWhole && largeInsert) {
    out.push(
      `At ${bytes(largeWhole.database.bytes)}: a single-row commit takes ${ms(largeInsert.insert.insert.time.median)} with s3lite, ` +
        `${ms(largeWhole.result.insert.time.median)} with the whole-file approach.`,
    );
  }
  const runs = r.transfer.runs;
  if (runs.length) {
    out.push(
      `Import ${num(
        quantile(
          runs.map((x) => x.import.miBps),
          0.5,
        ),
      )} MiB/s (${pct(
        quantile(
          runs.map((x) => x.importShare),
          0.5,
        ),
      )} of the server's raw PUT rate), ` +
        `export ${num(
          quantile(
            runs.map((x) => x.export.miBps),
            0.5,
          ),
        )} MiB/s (${pct(
          quantile(
            runs.map((x) => x.exportShare),
            0.5,
          ),
        )} of raw GET), ` +
        `${bytes(r.transfer.database.bytes)} at ${kib(r.transfer.database.pageSize)} pages` +
        (r.transfer.large
          ? `; peak RSS ${num(Math.max(r.transfer.large.import.maxRssMiB, r.transfer.large.export.maxRssMiB))} MiB for ${bytes(r.transfer.large.database.bytes)}.`
          : '.'),
    );
  }
  const scan = scanAt(r, 's3', r.config.latencyMs, base)?.scan;
  if (scan?.noReadAhead) {
    out.push(
      `Cold full scan with ${r.config.latencyMs} ms latency: ${ms(scan.readAhead.time.median)} with read-ahead, ` +
        `${ms(scan.noReadAhead.time.median)} without (${num(scan.readAhead.totalRequests)} GETs; ` +
        `${num(scan.readAhead.roundTrips)} vs ${num(scan.noReadAhead.roundTrips)} sequential round trips).`,
    );
  }
  const m = r.metaStore;
  out.push(
    `Metadata store of ${num(m.records)} records: ${num(writesPerSecond(m.autoSync))} writes/s at ` +
      `${num(m.autoSync.requests.put)} PUTs each with autoSync, ` +
      `${num(m.grouped.writes / (m.grouped.run.time.median / 1000))} writes/s at ` +
      `${num(m.grouped.run.requests.put / m.grouped.writes)} PUTs each with syncInterval; ` +
      `the whole-file approach ${num(writesPerSecond(m.wholeFileWrite))} writes/s. ` +
      `A hot-field search: ${ms(m.searches[0]?.cold.time.median ?? 0)} cold, ` +
      `${ms(m.searches[0]?.warm.time.median ?? 0)} warm.`,
  );
  const c = r.concurrencyRuns[0];
  if (c) {
    out.push(
      `${c.writers} writer processes on one database: ${num(c.commitsPerSecond)} commits/s, ` +
        `${pct(c.conflictRate)} of attempts lost a race and were re-run; none lost or doubled.`,
    );
  }
  return out;
}

const HEAD =
  '| what | runs | median | p95 | CPU | GET | PUT | LIST | HEAD | DELETE | bytes in | bytes out | round trips |\n' +
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';

function row(label: string, o: OpResult): string {
  const q = o.requests;
  return `| ${label} | ${o.runs} | ${ms(o.time.median)} | ${ms(o.time.p95)} | ${ms(o.cpuMs)} | ${num(q.get)} | ${num(q.put)} | ${num(q.list)} | ${num(q.head)} | ${num(q.delete + q.deleteMany)} | ${bytes(o.bytesIn)} | ${bytes(o.bytesOut)} | ${num(o.roundTrips)} |`;
}

function table(rows: Array<[string, OpResult]>): string {
  return `${HEAD}\n${rows.map(([label, o]) => row(label, o)).join('\n')}\n`;
}

const latencyName = (latencyMs: number) =>
  latencyMs ? `${latencyMs} ms latency` : 'no added latency';

function rss(values: Array<[string, number]>): string {
  return `Peak RSS: ${values.map(([what, v]) => `${what} ${num(v)} MiB`).join('; ')}.\n`;
}

function bulkLoad(r: Results): string {
  const rows: Array<[string, OpResult]> = r.bulkLoad.flatMap((b) =>
    b.loads.map((l): [string, OpResult] => [
      `${l.transactions} transaction(s), ${latencyName(b.latencyMs)} → ${num(l.pageCount)} pages of ${kib(l.pageSize)}`,
      l.load,
    ]),
  );
  const early = r.bulkLoad.flatMap((b) => b.loads).some((l) => l.pagesUploadedEarly > 0);
  return `${num(r.config.rows)} rows of ~100 bytes through a prepared INSERT, into a new database (fresh prefix per run).${early ? ' Some pages were uploaded before their commit (the write buffer was full).' : ''}

${table(rows)}
${rss(r.bulkLoad.map((b) => [latencyName(b.latencyMs), b.maxRssMiB]))}`;
}

function lookups(r: Results): string {
  const rows: Array<[string, OpResult]> = [];
  for (const p of r.pointLookup) {
    const where = `${dbLabel(p.database)}, depth ${p.database.depth}, ${latencyName(p.latencyMs)}`;
    rows.push(
      [`open — ${where}`, p.lookup.open],
      [`cold lookup — ${where}`, p.lookup.cold],
      [`first pass — ${where}`, p.lookup.firstPass],
      [`warm lookup — ${where}`, p.lookup.warm],
    );
  }
  return `${table(rows)}
${rss(r.pointLookup.map((p) => [`${dbLabel(p.database)}, ${latencyName(p.latencyMs)}`, p.maxRssMiB]))}`;
}

function inserts(r: Results): string {
  const rows: Array<[string, OpResult]> = r.singleInsert.map((s) => [
    `${dbLabel(s.database)}, ${latencyName(s.latencyMs)}`,
    s.insert.insert,
  ]);
  const detail = r.singleInsert.map((s) => {
    const c = s.insert.commits;
    const first = c[0];
    const byObject = Object.entries(s.insert.insert.byObject)
      .map(
        ([kind, ops]) =>
          `${kind}: ${Object.entries(ops)
            .map(([op, n]) => `${num(n)} ${op.toUpperCase()}`)
            .join(', ')}`,
      )
      .join('; ');
    return (
      `- ${dbLabel(s.database)}, ${latencyName(s.latencyMs)}: pages changed per commit ${c.map((x) => x.changedPages).join(', ')}; ` +
      `PUTs ${c.map((x) => x.put).join(', ')}; GETs ${c.map((x) => x.get).join(', ')}. ` +
      `Mean requests per commit by object: ${byObject}.` +
      (first && c.length > 1 && first.put > (c[1]?.put ?? 0)
        ? ' The first commit of the process also PUTs a probe of the marker (`s3lite.json`, create-only) that checks once per store that conditional writes are honoured.'
        : '')
    );
  });
  return `${table(rows)}
${detail.join('\n')}

${rss(r.singleInsert.map((s) => [`${dbLabel(s.database)}, ${latencyName(s.latencyMs)}`, s.maxRssMiB]))}`;
}

function scans(r: Results): string {
  const rows: Array<[string, OpResult]> = [];
  for (const s of r.scan) {
    const where = `${dbLabel(s.database)} (${num(s.scan.pageCount)} pages), ${latencyName(s.latencyMs)}${s.backend === 'memory' ? ', MemoryStore' : ''}`;
    rows.push([
      `read-ahead on (${num(s.scan.readAhead.pagesPrefetched)} prefetched) — ${where}`,
      s.scan.readAhead,
    ]);
    if (s.scan.noReadAhead) rows.push([`read-ahead off — ${where}`, s.scan.noReadAhead]);
  }
  const ratios = (latencyMs: number) =>
    r.config.pageSizes
      .map((p) => scanAt(r, 's3', latencyMs, p)?.scan)
      .map((s) => (s?.noReadAhead ? num(s.readAhead.time.median / s.noReadAhead.time.median) : '—'))
      .join(', ');
  return `With read-ahead, a scan took ${ratios(0)} times as long as reading page by page (at ${r.config.pageSizes.map(kib).join(', ')} pages) without added latency, and ${ratios(r.config.latencyMs)} times as long with ${r.config.latencyMs} ms: read-ahead pays off where round trips cost time; without added latency the server's own throughput decides, and on this machine more requests in flight are not always faster (see the raw rates of scenario 5).

${table(rows)}
${rss(r.scan.map((s) => [`${dbLabel(s.database)}, ${s.backend}, ${latencyName(s.latencyMs)}`, s.maxRssMiB]))}`;
}

function transfer(r: Results): string {
  const t = r.transfer;
  const levels = r.config.rawInFlight;
  const rates = (x: TransferRun, pick: (l: RawLevel) => number) =>
    x.raw.levels.map((l) => num(pick(l))).join(' / ');
  const lines = t.runs.map(
    (x, i) =>
      `| ${i + 1} | ${rates(x, (l) => l.putMiBps)} | ${num(x.import.miBps)} | ${pct(x.importShare)} | ${rates(x, (l) => l.getMiBps)} | ${num(x.export.miBps)} | ${pct(x.exportShare)} | ${num(x.import.maxRssMiB)} / ${num(x.export.maxRssMiB)} |`,
  );
  const rows: Array<[string, OpResult]> = [];
  const first = t.runs[0];
  for (const level of first?.raw.levels ?? []) {
    rows.push(
      [`raw PUT, ${level.inFlight} in flight, run 1`, level.put],
      [`raw GET, ${level.inFlight} in flight, run 1`, level.get],
    );
  }
  if (first) rows.push([`import, run 1`, first.import.run], [`export, run 1`, first.export.run]);
  rows.push(
    [`import, ${t.latency.latencyMs} ms latency`, t.latency.import.run],
    [`export, ${t.latency.latencyMs} ms latency`, t.latency.export.run],
  );
  if (t.large) {
    rows.push(
      [`import of ${bytes(t.large.database.bytes)}`, t.large.import.run],
      [`export of ${bytes(t.large.database.bytes)}`, t.large.export.run],
    );
  }
  const large = t.large
    ? `The ${bytes(t.large.database.bytes)} database (${num(t.large.database.pages)} pages): import ${num(t.large.import.miBps)} MiB/s, peak RSS ${num(t.large.import.maxRssMiB)} MiB; export ${num(t.large.export.miBps)} MiB/s, peak RSS ${num(t.large.export.maxRssMiB)} MiB.\n`
    : '';
  const perRequest = (first?.raw.levels ?? [])
    .map(
      (l) =>
        `${num(l.get.time.median / (l.get.totalRequests / l.inFlight))} ms with ${l.inFlight} in flight`,
    )
    .join(', ');
  return `A ${bytes(t.database.bytes)} database file (${num(t.database.pages)} pages of ${kib(t.database.pageSize)}, rows of 4,000 random bytes) made by sqlite3, imported into a fresh prefix and exported back (the export is checked byte for byte against the file). Each run first measures the server's raw rate in a process of its own: ${num(first?.raw.levels[0]?.put.totalRequests ?? 0)} objects of the same size PUT and then GET, with ${levels.join(' and then ')} requests in flight. The better rate is the ceiling the import and export are compared with: on a server short of CPU, more requests in flight are not always faster (a raw GET took ${perRequest} in run 1).

| run | raw PUT MiB/s (${levels.join(' / ')} in flight) | import MiB/s | import ÷ best raw | raw GET MiB/s (${levels.join(' / ')}) | export MiB/s | export ÷ best raw | peak RSS import / export (MiB) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${lines.join('\n')}

${large}
${table(rows)}`;
}

function latencyIntro(r: Results): string {
  return `Every scenario above again through \`LatencyStore\`, which waits ${r.config.latencyMs} ms before each request (typical of S3 from the same region) and keeps at most ${r.concurrency} requests in flight, as S3Store does. Where request counts and parallelism decide everything, the lower bound is requests ÷ ${r.concurrency} × ${r.config.latencyMs} ms; the chain of sequential round trips × ${r.config.latencyMs} ms is the other floor. The full scan also runs on a MemoryStore in the benchmark's own process, to show the design without this server's throughput limit.
`;
}

function latency(r: Results): string {
  const lines = latencyRows(r).map(
    (x) =>
      `| ${x.label} | ${ms(x.ms)} | ${num(x.requests)} | ${ms(x.bound)} | ${num(x.roundTrips)} | ${ms(x.chainMs)} | ${num(x.ms / Math.max(x.bound, x.chainMs))}× |`,
  );
  return `| operation | measured (median) | requests | requests ÷ ${r.concurrency} × latency | round trips | round trips × latency | measured ÷ larger bound |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${lines.join('\n')}
`;
}

function baselineIntro(r: Results): string {
  const small = wholeFileAt(r, 'small', 0);
  return `What s3sqlite-db and AutoCRUD's S3SqliteMetaStore do: the database is one object; a cold reader GETs all of it into a local file and queries it with Debian's \`sqlite3\`; a warm reader HEADs the object to learn that its copy is current; a writer changes its local copy and PUTs the whole file back with \`If-Match\` (the ETag it last saw). Its times include starting \`sqlite3\` (${ms(small?.result.sqliteStartMs ?? 0)} per command here). s3lite's cold figure is its open plus its first lookup.
`;
}

function baseline(r: Results): string {
  const lines: string[] = [];
  const entries = r.wholeFile.map((w) => ({
    w,
    lookup: lookupAt(r, w.database.name, w.latencyMs, w.database.pageSize),
    insert: insertAt(r, w.database.name, w.latencyMs),
  }));
  for (const { w, lookup, insert } of entries) {
    const where = `${dbLabel(w.database)}, ${latencyName(w.latencyMs)}`;
    const pair = (
      what: string,
      s3lite: { ms: number; requests: number; bytes: number } | undefined,
      whole: OpResult,
    ) =>
      lines.push(
        `| ${what} — ${where} | ${s3lite ? `${ms(s3lite.ms)}, ${num(s3lite.requests)} req, ${bytes(s3lite.bytes)}` : '—'} | ${ms(whole.time.median)}, ${num(whole.totalRequests)} req, ${bytes(whole.bytesIn + whole.bytesOut)} |`,
      );
    const moved = (o: OpResult) => ({
      ms: o.time.median,
      requests: o.totalRequests,
      bytes: o.bytesIn + o.bytesOut,
    });
    pair(
      'cold lookup',
      lookup && coldLookup(lookup.lookup.open, lookup.lookup.cold),
      w.result.cold,
    );
    pair('warm lookup', lookup && moved(lookup.lookup.warm), w.result.warm);
    pair('single-row commit', insert && moved(insert.insert.insert), w.result.insert);
  }
  const rows: Array<[string, OpResult]> = r.wholeFile.flatMap((w): Array<[string, OpResult]> => {
    const where = `${dbLabel(w.database)}, ${latencyName(w.latencyMs)}`;
    return [
      [`whole file: cold lookup — ${where}`, w.result.cold],
      [`whole file: warm lookup — ${where}`, w.result.warm],
      [`whole file: single-row commit — ${where}`, w.result.insert],
    ];
  });
  return `| operation | s3lite (median, requests, bytes) | whole file (median, requests, bytes) |
| --- | ---: | ---: |
${lines.join('\n')}

${table(rows)}
${rss(r.wholeFile.map((w) => [`whole file, ${dbLabel(w.database)}, ${latencyName(w.latencyMs)}`, w.maxRssMiB]))}`;
}

function concurrency(r: Results): string {
  const lines = r.concurrencyRuns.map(
    (c) =>
      `| ${latencyName(c.latencyMs)} | ${c.writers} × ${c.transactionsEach} | ${num(c.seconds)} s | ${num(c.commitsPerSecond)} | ${num(c.lostRaces)} | ${pct(c.conflictRate)} | ${num(c.requests.get ?? 0)} / ${num(c.requests.put ?? 0)} / ${num(c.requests.list ?? 0)} | ${num(c.maxRssMiB)} MiB |`,
  );
  return `Writer processes start together and each commits single-row INSERTs through \`transaction()\`, which re-runs a transaction that lost the commit race on the new head. Every commit is checked afterwards: the table holds exactly writers × transactions rows.

| latency | writers × commits | span | commits/s | lost races | lost ÷ attempts | GET / PUT / LIST (all writers) | peak RSS (largest) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${lines.join('\n')}
`;
}

const writesPerSecond = (o: OpResult) => 1000 / o.time.median;

function metaStore(r: Results): string {
  const m = r.metaStore;
  const fileBytes = m.download.bytesIn;
  const g = m.grouped;
  const perWrite = (what: string, writesPerS: number, o: OpResult, writes: number) =>
    `| ${what} | ${num(writesPerS)} | ${num(o.requests.put / writes)} | ${num((o.requests.get + o.requests.head) / writes)} | ${bytes(o.bytesOut / writes)} |`;
  const searches = m.searches.map(
    (s) =>
      `| ${s.name} | ${ms(s.cold.time.median)}, ${num(s.cold.totalRequests)} req, ${bytes(s.cold.bytesIn)} | ${ms(s.warm.time.median)}, ${num(s.warm.totalRequests)} req | ${ms(m.download.time.median + s.localMs)} (${ms(m.download.time.median)} + ${ms(s.localMs)}), ${bytes(fileBytes)} |`,
  );
  const rows: Array<[string, OpResult]> = [
    ['autoSync write', m.autoSync],
    [`${num(g.writes)} writes, syncInterval ${g.syncIntervalMs} ms, then sync()`, g.run],
    ['whole file: write', m.wholeFileWrite],
    ['whole file: download', m.download],
    ...m.searches.flatMap((s): Array<[string, OpResult]> => [
      [`${s.name}: cold`, s.cold],
      [`${s.name}: warm`, s.warm],
    ]),
  ];
  return `\`MetaStore\` on the S3 server, ${num(m.records)} records with a hot indexed field (\`email\`), built in ${num(m.buildSeconds)} s by \`saveMany\` batches of 5,000: ${num(m.pages)} pages of ${kib(m.pageSize)}. Beside it, the whole-file approach of AutoCRUD's S3SqliteMetaStore on the same database exported to one object (${bytes(fileBytes)}): a write is HEAD (check the ETag), PUT of the whole file with \`If-Match\`, HEAD (the new ETag); a reader downloads the file and searches a local copy (here the same search, in process, on an in-memory copy: what the local copy costs beyond the download).

| writes | writes/s | PUTs per write | GETs + HEADs per write | uploaded per write |
| --- | ---: | ---: | ---: | ---: |
${perWrite(`autoSync (each its own commit; ${num(m.autoSyncCommits)} commits for ${num(m.autoSync.runs)} writes)`, writesPerSecond(m.autoSync), m.autoSync, 1)}
${perWrite(`syncInterval ${g.syncIntervalMs} ms (${num(g.writes)} writes, ${num(g.commits)} commit${g.commits === 1 ? '' : 's'})`, g.writes / (g.run.time.median / 1000), g.run, g.writes)}
${perWrite('whole file', writesPerSecond(m.wholeFileWrite), m.wholeFileWrite, 1)}

Searches: cold is a new store with an empty cache (its open and the search); warm is the same search again on it (\`readCheckInterval: 0\`, so each checks the head: one GET).

| search | s3lite cold | s3lite warm | whole file: download + local search |
| --- | ---: | ---: | ---: |
${searches.join('\n')}

${table(rows)}
${rss([['metadata store process', m.maxRssMiB]])}`;
}

function rewrite(r: Results): string {
  // Results written before scenario 11 existed have none.
  const rows = (r.rewrite ?? []).map(
    (w) => `| ${w.megabytes} MB | ${num(w.seconds)} s | ${num(w.maxRssMiB)} MiB |`,
  );
  return [
    'Every 1 KB row of a FileStore database rewritten by one UPDATE in one transaction, with the',
    'default page cache and write buffer (64 MiB each); peak RSS of the rewriting process.\n',
    '| database | time | peak RSS |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function method(r: Results): string {
  const c = r.config;
  return `## Choices

- **Page sizes.** Scenarios 1–3 use ${kib(c.pageSizes[0] as number)} pages, SQLite's default and what an application gets unless it asks; the sweep (scenario 6) repeats lookups and scans at ${c.pageSizes.map(kib).join(', ')}. The import/export database uses ${kib(c.transferPageSize)} pages: ${num(c.transferMiB)} MiB is then ${num((c.transferMiB * 1048576) / c.transferPageSize)} page objects; at 4 KiB it would be ${num((c.transferMiB * 1048576) / 4096)} PUTs, which at this server's raw rate would take several minutes each way, for a figure the raw-rate ratio already gives.
- **Repetitions.** ${c.bulkRuns} bulk loads, ${c.coldLookups} cold lookups, ${c.warmLookups} first-pass and warm lookups, ${c.inserts} commits, ${c.scanRuns} scans per read-ahead setting, ${c.transferRuns} import/export runs (each with its own raw measurement, ratios taken within a run); the slow variants with ${c.latencyMs} ms latency run once where one run takes seconds.
- **Processes.** Each scenario runs in a child process of its own (peak RSS is per process); scenarios never overlap. The whole-file baseline adds the latency itself before each of its requests (its streamed download bypasses \`LatencyStore\`).
- **Fixtures.** Databases are built locally with \`sqlite3\` and imported, outside every measurement; every scenario works on its own prefix, removed afterwards.
`;
}

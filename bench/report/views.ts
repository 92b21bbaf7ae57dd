import { bytes, kib } from './format.js';
import type { OpResult } from '../measure.js';
import type { DatabaseShape, Results } from '../results.js';

/**
 * Figures the report and the charts both derive from the results, so that a table and the
 * chart beside it can never disagree.
 */

export function dbLabel(db: DatabaseShape): string {
  return `${bytes(db.bytes)}, ${kib(db.pageSize)} pages`;
}

/** A first lookup on a new connection: its open plus the lookup (sum of their medians). */
export interface ColdLookup {
  ms: number;
  requests: number;
  bytes: number;
}

export function coldLookup(open: OpResult, lookup: OpResult): ColdLookup {
  return {
    ms: open.time.median + lookup.time.median,
    requests: open.totalRequests + lookup.totalRequests,
    bytes: open.bytesIn + lookup.bytesIn,
  };
}

export function lookupAt(
  r: Results,
  name: DatabaseShape['name'],
  latencyMs: number,
  pageSize?: number,
) {
  return r.pointLookup.find(
    (p) =>
      p.database.name === name &&
      p.latencyMs === latencyMs &&
      (pageSize === undefined || p.database.pageSize === pageSize),
  );
}

export function insertAt(r: Results, name: DatabaseShape['name'], latencyMs: number) {
  return r.singleInsert.find((s) => s.database.name === name && s.latencyMs === latencyMs);
}

export function wholeFileAt(r: Results, name: DatabaseShape['name'], latencyMs: number) {
  return r.wholeFile.find((w) => w.database.name === name && w.latencyMs === latencyMs);
}

export function scanAt(r: Results, backend: 's3' | 'memory', latencyMs: number, pageSize: number) {
  return r.scan.find(
    (s) => s.backend === backend && s.latencyMs === latencyMs && s.database.pageSize === pageSize,
  );
}

/** The lower bound with injected latency: requests ÷ requests in flight × latency. */
export function throughputBound(requests: number, concurrency: number, latencyMs: number): number {
  return (requests / concurrency) * latencyMs;
}

/** The scenarios run through the latency store, with their two lower bounds. */
export function latencyRows(r: Results) {
  const L = r.config.latencyMs;
  const rows: Array<{ label: string; ms: number; requests: number; roundTrips: number }> = [];
  const bulk = r.bulkLoad.find((b) => b.latencyMs === L);
  for (const l of bulk?.loads ?? []) {
    rows.push({
      label: `bulk load, ${l.transactions} tx`,
      ms: l.load.time.median,
      requests: l.load.totalRequests,
      roundTrips: l.load.roundTrips,
    });
  }
  const lookup = lookupAt(r, 'small', L, r.config.pageSizes[0]);
  if (lookup) {
    const { open, cold, warm } = lookup.lookup;
    rows.push(
      {
        label: 'open + cold lookup',
        ms: open.time.median + cold.time.median,
        requests: open.totalRequests + cold.totalRequests,
        roundTrips: open.roundTrips + cold.roundTrips,
      },
      {
        label: 'warm lookup',
        ms: warm.time.median,
        requests: warm.totalRequests,
        roundTrips: warm.roundTrips,
      },
    );
  }
  const insert = insertAt(r, 'small', L)?.insert.insert;
  if (insert) {
    rows.push({
      label: 'single-row commit',
      ms: insert.time.median,
      requests: insert.totalRequests,
      roundTrips: insert.roundTrips,
    });
  }
  for (const backend of ['s3', 'memory'] as const) {
    const s = scanAt(r, backend, L, r.config.pageSizes[0] as number)?.scan;
    if (!s) continue;
    const where = backend === 'memory' ? ' (memory)' : '';
    rows.push({
      label: `scan, read-ahead${where}`,
      ms: s.readAhead.time.median,
      requests: s.readAhead.totalRequests,
      roundTrips: s.readAhead.roundTrips,
    });
    if (s.noReadAhead) {
      rows.push({
        label: `scan, no read-ahead${where}`,
        ms: s.noReadAhead.time.median,
        requests: s.noReadAhead.totalRequests,
        roundTrips: s.noReadAhead.roundTrips,
      });
    }
  }
  const { import: imported, export: exported } = r.transfer.latency;
  for (const [label, t] of [
    ['import', imported],
    ['export', exported],
  ] as const) {
    rows.push({
      label,
      ms: t.run.time.median,
      requests: t.run.totalRequests,
      roundTrips: t.run.roundTrips,
    });
  }
  return rows.map((row) => ({
    ...row,
    bound: throughputBound(row.requests, r.concurrency, L),
    chainMs: row.roundTrips * L,
  }));
}

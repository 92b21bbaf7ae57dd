import { DelegatingStore, type Attempt, type StoreOperation } from '../src/index.js';

/**
 * Sees every request s3lite makes and records two things the store's own metrics cannot:
 * which kind of object each request touched (pages, commit records, checkpoints, the marker…),
 * which tells a head probe from a page read; and the longest chain of requests each of which
 * started only after the previous one ended. Every request in such a chain waits a full
 * round trip, so `roundTrips × latency` is what the chain alone must cost.
 */
export class TracingStore extends DelegatingStore {
  private byObject = new Map<string, Record<string, number>>();
  /** Deepest chain among requests that have ended. */
  private endedDepth = 0;
  private deepest = 0;

  protected override async around<T>(
    operation: StoreOperation,
    key: string | undefined,
    _attempt: Attempt,
    forward: () => Promise<T>,
  ): Promise<T> {
    // A request's chain is one longer than the deepest chain already ended when it starts.
    const depth = this.endedDepth + 1;
    this.deepest = Math.max(this.deepest, depth);
    const kind = objectKind(key);
    const counts = this.byObject.get(kind) ?? {};
    counts[operation] = (counts[operation] ?? 0) + 1;
    this.byObject.set(kind, counts);
    try {
      return await forward();
    } finally {
      this.endedDepth = Math.max(this.endedDepth, depth);
    }
  }

  /** Requests by object kind, then by operation, since the last reset (a copy). */
  requestsByObject(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.byObject].map(([kind, counts]) => [kind, { ...counts }]));
  }

  roundTrips(): number {
    return this.deepest;
  }

  reset(): void {
    this.metrics.reset();
    this.byObject = new Map();
    this.endedDepth = 0;
    this.deepest = 0;
  }
}

/**
 * What a key names inside a database: its directory (`pages`, `commits`, `checkpoints`) or
 * the object's own name (`s3lite.json`, `latest-checkpoint`), as docs/FORMAT.md lays them
 * out. The bench's prefixes never contain those words.
 */
function objectKind(key: string | undefined): string {
  if (key === undefined) return 'other';
  const segments = key.split('/');
  const known = segments.findIndex((s) => s === 'pages' || s === 'commits' || s === 'checkpoints');
  return known >= 0 ? (segments[known] as string) : (segments.at(-1) ?? 'other');
}

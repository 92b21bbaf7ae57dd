/**
 * How long a snapshot seen to be the head stays trusted. A record missing after a trusted
 * snapshot proves that it is still the head; after an older one it may instead have been
 * collected (GC keeps every commit stored within its grace period, far longer than this), so
 * the next probe also reads the checkpoint hint, which always lies past anything collected.
 */
export const HEAD_TRUST_MS = 2000;

/**
 * When a volume's snapshot was last seen to be the head, and so whether a missing next commit
 * record still proves that it is (see {@link HEAD_TRUST_MS}). Times are the clock's
 * `monotonic()`, taken when the request that saw the head started.
 */
export class HeadTrust {
  /** A page of the snapshot was found collected: the next probe must check the hint. */
  private snapshotCollected = false;

  constructor(private confirmedAt: number) {}

  /** Whether the snapshot is still trusted to be the head at `now`. */
  trusted(now: number): boolean {
    return !this.snapshotCollected && now - this.confirmedAt <= HEAD_TRUST_MS;
  }

  /** The snapshot was seen to be the head by a request started at `at`. */
  confirm(at: number): void {
    this.confirmedAt = at;
    this.snapshotCollected = false;
  }

  /** Garbage collection was seen past the snapshot: trust nothing until the next confirm. */
  distrust(): void {
    this.snapshotCollected = true;
  }
}

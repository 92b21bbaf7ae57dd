/** How far back the rate looks: long enough to smooth bursts, short enough to follow changes. */
const WINDOW_MS = 5000;
/** Before this much time has passed there is no rate worth showing. */
const MIN_SPAN_MS = 500;

/**
 * Bytes per second over the last few seconds of a transfer, from samples of its running
 * byte count. Time-based rather than sample-based, so bursts of updates do not skew it.
 */
export class TransferRate {
  private readonly samples: Array<{ at: number; bytes: number }> = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Record the byte count reached now; the rate so far, or undefined if too early to tell. */
  sample(bytes: number): number | undefined {
    const at = this.now();
    // One sample per tenth of a second is plenty; a page-by-page transfer updates far more often.
    const last = this.samples.at(-1);
    if (!last || at - last.at >= 100) this.samples.push({ at, bytes });
    // Keep one sample older than the window, so the window is always fully spanned.
    while (this.samples.length > 2 && at - (this.samples[1] as { at: number }).at >= WINDOW_MS) {
      this.samples.shift();
    }
    const first = this.samples[0] as { at: number; bytes: number };
    const span = at - first.at;
    if (span < MIN_SPAN_MS) return undefined;
    return ((bytes - first.bytes) * 1000) / span;
  }
}

/** Sequential page reads in a row before read-ahead starts: a point lookup never triggers it. */
const SEQUENTIAL_THRESHOLD = 4;

/**
 * Detects sequential page access and says which pages to fetch ahead. The window starts at
 * 2 pages and doubles with every further sequential read up to `max`, so a scan soon keeps
 * many GETs in flight while scattered reads fetch nothing extra.
 */
export class ReadAhead {
  private last = -1;
  private run = 0;
  /** Highest page already handed out for prefetching in the current run. */
  private fetchedUpTo = 0;

  constructor(private readonly max: number) {}

  /** Record a read of `pageNo`; returns the pages to prefetch now (maybe none). */
  next(pageNo: number, pageCount: number): number[] {
    if (pageNo === this.last) return [];
    if (pageNo === this.last + 1) {
      this.run += 1;
    } else {
      this.run = 1;
      this.fetchedUpTo = pageNo;
    }
    this.last = pageNo;
    if (this.max <= 0 || this.run < SEQUENTIAL_THRESHOLD) return [];
    const window = Math.min(this.max, 2 ** (this.run - SEQUENTIAL_THRESHOLD + 1));
    const from = Math.max(this.fetchedUpTo, pageNo) + 1;
    const to = Math.min(pageCount, pageNo + window);
    const pages: number[] = [];
    for (let p = from; p <= to; p++) pages.push(p);
    this.fetchedUpTo = Math.max(this.fetchedUpTo, to);
    return pages;
  }

  reset(): void {
    this.last = -1;
    this.run = 0;
    this.fetchedUpTo = 0;
  }
}

/**
 * The part of a byte range that falls in one page of a file laid out in pages of one size.
 * Byte positions are from the start of the file; the range's bytes in this page are
 * `[from, to)`, which lie at `from - pageStart` in the page and `from - offset` in the range.
 */
export interface PageSpan {
  /** The page's index from 0 (SQLite numbers its pages from 1: `index + 1`). */
  index: number;
  /** Where the page starts in the file. */
  pageStart: number;
  /** Where the range's bytes in this page start, in the file. */
  from: number;
  /** Where they end (exclusive), in the file. */
  to: number;
}

/**
 * The pages that bytes `[offset, end)` touch, in order, each with the part of the range that
 * lies in it. Empty when `end <= offset`.
 */
export function pageSpans(offset: number, end: number, pageSize: number): PageSpan[] {
  if (end <= offset) return [];
  const first = Math.floor(offset / pageSize);
  const last = Math.floor((end - 1) / pageSize);
  return Array.from({ length: last - first + 1 }, (_, i) => {
    const index = first + i;
    const pageStart = index * pageSize;
    return {
      index,
      pageStart,
      from: Math.max(offset, pageStart),
      to: Math.min(end, pageStart + pageSize),
    };
  });
}

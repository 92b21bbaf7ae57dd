import { describe, expect, it } from 'vitest';
import { pageSpans } from '../../src/format/index.js';

describe('pageSpans', () => {
  it('splits a range that crosses pages into the part in each page', () => {
    expect(pageSpans(1000, 9000, 4096)).toEqual([
      { index: 0, pageStart: 0, from: 1000, to: 4096 },
      { index: 1, pageStart: 4096, from: 4096, to: 8192 },
      { index: 2, pageStart: 8192, from: 8192, to: 9000 },
    ]);
  });

  it('gives one span for a range inside one page, and none for an empty range', () => {
    expect(pageSpans(4096, 8192, 4096)).toEqual([
      { index: 1, pageStart: 4096, from: 4096, to: 8192 },
    ]);
    expect(pageSpans(100, 100, 4096)).toEqual([]);
    expect(pageSpans(200, 100, 4096)).toEqual([]);
  });

  it('covers every byte of the range exactly once, in the page that holds it', () => {
    for (const pageSize of [1, 3, 512]) {
      for (const [offset, end] of [
        [0, 1],
        [5, 6],
        [7, 1300],
        [511, 1025],
      ] as const) {
        const owners: number[] = [];
        for (const span of pageSpans(offset, end, pageSize)) {
          for (let at = span.from; at < span.to; at++) owners.push(Math.floor(at / pageSize));
          expect(span.pageStart).toBe(span.index * pageSize);
        }
        const expected = Array.from({ length: end - offset }, (_, i) =>
          Math.floor((offset + i) / pageSize),
        );
        expect(owners).toEqual(expected);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { PageReferences, type PageReference } from '../../src/vfs/page-references.js';

function reference(offset: number, pageNo = offset, length = 100): PageReference {
  return { offset, length, pageNo, source: 0 };
}

describe('PageReferences', () => {
  it('keeps references in offset order whatever the insertion order', () => {
    const references = new PageReferences();
    // Past the initial capacity, in an order that inserts in the middle too.
    const offsets = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 300) * 100);
    for (const offset of offsets) references.insert(reference(offset));
    expect(references.size).toBe(300);
    expect(references.end).toBe(30_000);
    expect(references.overlapping(0, 30_000).map((r) => r.offset)).toEqual(
      [...offsets].sort((a, b) => a - b),
    );
  });

  it('finds and removes exactly the references a range overlaps', () => {
    const references = new PageReferences();
    for (const offset of [0, 100, 200, 300, 400]) references.insert(reference(offset));
    // 150..301 cuts through 100 and 300 and holds 200.
    expect(references.overlapping(150, 301).map((r) => r.offset)).toEqual([100, 200, 300]);
    expect(references.overlapping(500, 600)).toEqual([]);
    expect(references.removeOverlapping(150, 301)).toEqual([
      reference(100),
      reference(200),
      reference(300),
    ]);
    expect(references.overlapping(0, Infinity)).toEqual([reference(0), reference(400)]);
    expect(references.end).toBe(500);
    expect(references.removeOverlapping(0, Infinity)).toHaveLength(2);
    expect(references.size).toBe(0);
    expect(references.end).toBe(0);
  });

  it('keeps page numbers, lengths and sources up to 32 bits and offsets past 4 GiB', () => {
    const references = new PageReferences();
    const far = { offset: 2 ** 40, length: 65_536, pageNo: 2 ** 32 - 2, source: 3 };
    references.insert(far);
    expect(references.overlapping(2 ** 40 + 65_535, 2 ** 41)).toEqual([far]);
  });
});

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/testing/seeded-random.js';
import { SparseBytes } from '../../src/vfs/sparse-bytes.js';

/** The same file as a plain array: what SparseBytes must read like. */
class PlainFile {
  bytes = new Uint8Array(0);

  write(data: Uint8Array, offset: number): void {
    this.resize(Math.max(this.bytes.byteLength, offset + data.byteLength));
    this.bytes.set(data, offset);
  }

  clear(from: number, to: number): void {
    this.bytes.fill(0, from, Math.min(to, this.bytes.byteLength));
  }

  truncate(size: number): void {
    this.resize(size);
  }

  private resize(size: number): void {
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, size));
    this.bytes = next;
  }
}

function readAll(sparse: SparseBytes): Uint8Array {
  const out = new Uint8Array(sparse.size);
  expect(sparse.read(out, 0)).toBe(sparse.size);
  return out;
}

function filled(length: number, byte: number): Uint8Array {
  return new Uint8Array(length).fill(byte);
}

describe('SparseBytes', () => {
  it('reads as zeros where nothing was written, and stops at its size', () => {
    const sparse = new SparseBytes();
    sparse.write(filled(8, 7), 5000);
    const out = filled(10, 9);
    expect(sparse.read(out, 4999)).toBe(9);
    expect([...out]).toEqual([0, 7, 7, 7, 7, 7, 7, 7, 7, 9]);
    expect(sparse.read(new Uint8Array(4), 6000)).toBe(0);
  });

  it('a chunk freed by clear reads as zeros when used again', () => {
    const sparse = new SparseBytes();
    sparse.write(filled(64, 1), 0);
    sparse.clear(0, 64);
    // The freed slots now serve other chunks: nothing of the old bytes may show.
    sparse.write(filled(2, 5), 1000);
    sparse.write(filled(2, 6), 2000);
    sparse.truncate(3000);
    const out = readAll(sparse);
    expect(out.subarray(0, 64).every((b) => b === 0)).toBe(true);
    expect([...out.subarray(999, 1003)]).toEqual([0, 5, 5, 0]);
    expect([...out.subarray(1999, 2003)]).toEqual([0, 6, 6, 0]);
  });

  it('truncation to zero of a large sparse file forgets every chunk', () => {
    const sparse = new SparseBytes();
    for (let record = 0; record < 1000; record++) sparse.write(filled(8, 3), record * 4104 + 4);
    sparse.truncate(0);
    sparse.truncate(4104 * 1000);
    expect(readAll(sparse).every((b) => b === 0)).toBe(true);
  });

  it('matches a plain file under random writes, clears and truncations', () => {
    const random = seededRandom(13);
    const int = (n: number): number => Math.floor(random() * n);
    const sparse = new SparseBytes();
    const plain = new PlainFile();
    for (let step = 0; step < 2000; step++) {
      const choice = random();
      if (choice < 0.7) {
        const data = Uint8Array.from({ length: 1 + int(100) }, () => 1 + int(255));
        const offset = int(20_000);
        sparse.write(data, offset);
        plain.write(data, offset);
      } else if (choice < 0.9) {
        const from = int(20_000);
        const to = from + int(step % 10 === 0 ? 20_000 : 200);
        sparse.clear(from, to);
        plain.clear(from, to);
      } else {
        const size = int(sparse.size + 1);
        sparse.truncate(size);
        plain.truncate(size);
      }
      expect(sparse.size).toBe(plain.bytes.byteLength);
    }
    expect(readAll(sparse)).toEqual(plain.bytes);
  });
});

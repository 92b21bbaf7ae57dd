import { describe, expect, it } from 'vitest';
import { forEachInParallel } from '../../src/volume/parallel.js';

/** A call that ends when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('forEachInParallel', () => {
  it('keeps at most `limit` calls in flight and takes items only as calls finish', async () => {
    const gates = Array.from({ length: 10 }, gate);
    let taken = 0;
    function* items(): Generator<number> {
      for (let i = 0; i < gates.length; i++) {
        taken += 1;
        yield i;
      }
    }
    const running = new Set<number>();
    let most = 0;
    const done = forEachInParallel(items(), 3, async (i) => {
      running.add(i);
      most = Math.max(most, running.size);
      await gates[i]!.promise;
      running.delete(i);
    });
    await Promise.resolve();
    expect(taken).toBe(3);
    for (const g of gates) {
      g.open();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    expect(most).toBe(3);
    expect(taken).toBe(10);
  });

  it('rejects with the first failure and takes no item after it', async () => {
    const seen: number[] = [];
    const failure = new Error('upload failed');
    await expect(
      forEachInParallel([1, 2, 3, 4, 5, 6], 2, async (i) => {
        seen.push(i);
        await Promise.resolve();
        if (i === 2) throw failure;
      }),
    ).rejects.toBe(failure);
    expect(seen).toEqual([1, 2, 3]);
  });
});

import { describe, expect, it } from 'vitest';
import { table } from '../../src/cli/print-rows.js';
import { formatSeconds } from '../../src/cli/progress-bar.js';
import { TransferRate } from '../../src/cli/transfer-rate.js';

describe('command-line output', () => {
  it('draws a table with a rule under the header only, not between rows', () => {
    const lines = table(
      ['a', 'b'],
      [
        { a: 1, b: 'x' },
        { a: 2, b: 'y' },
        { a: 3, b: 'z' },
      ],
    ).split('\n');
    // Top border, header, rule, three rows, bottom border.
    expect(lines).toHaveLength(7);
    expect(lines.filter((line) => /^[├┌└]/.test(line))).toHaveLength(3);
  });

  it('measures a transfer rate over seconds, so a burst of updates does not make it infinite', () => {
    let now = 0;
    const rate = new TransferRate(() => now);
    expect(rate.sample(0)).toBeUndefined();
    // One MiB a second for three seconds, reported page by page in bursts a millisecond apart.
    let bytes = 0;
    let last: number | undefined;
    for (let second = 1; second <= 3; second++) {
      now = second * 1000;
      for (let page = 0; page < 256; page++) {
        bytes += 4096;
        now += 0.004;
        last = rate.sample(bytes);
      }
    }
    expect(last).toBeGreaterThan(0.9 * 1048576);
    expect(last).toBeLessThan(1.1 * 1048576);
  });

  it('formats an ETA in seconds, minutes or hours', () => {
    expect(formatSeconds(0.4)).toBe('0 s');
    expect(formatSeconds(185)).toBe('3 min 05 s');
    expect(formatSeconds(4800)).toBe('1 h 20 min');
  });
});

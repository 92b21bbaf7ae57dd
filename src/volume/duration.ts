import { InvalidArgumentError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A span of time in milliseconds: a number of ms, or text such as `90s`, `30m`, `24h`, `7d`,
 * `2w` (units ms, s, m, h, d, w; `0` alone is allowed). `what` names the option in errors.
 */
export function parseDuration(value: number | string, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(value);
    if (match && (match[2] !== undefined || Number(match[1]) === 0)) {
      return Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] as number);
    }
  }
  throw new InvalidArgumentError(
    `${what} must be a duration such as 90s, 30m, 24h or 7d (or milliseconds), not ${JSON.stringify(value)}`,
  );
}

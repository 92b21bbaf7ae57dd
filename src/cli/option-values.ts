import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../volume/duration.js';

/** A whole number ≥ 1 (`--limit`, `--keep-last`); commander reports anything else as usage. */
export function wholeNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a whole number ≥ 1');
  }
  return n;
}

/**
 * The value of `--at`: a commit number (`42`), or a time (`2026-11-21T15:00:00Z`, any form
 * `Date` parses) for the newest commit made by then.
 */
export function commitOrTime(text: string): number | Date {
  if (/^\d+$/.test(text.trim())) return Number(text);
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError('expected a commit number or a time such as 2026-11-21T15:00Z');
  }
  return time;
}

/** The value of `--keep-for` and `--grace`: a span such as `90s`, `30m`, `24h` or `7d`. */
export function duration(text: string): string {
  try {
    parseDuration(text, 'duration');
  } catch {
    throw new InvalidArgumentError('expected a duration such as 90s, 30m, 24h or 7d');
  }
  return text;
}

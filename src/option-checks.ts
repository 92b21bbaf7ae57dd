import { InvalidArgumentError } from './errors.js';

/**
 * Check a public option that must be a whole number from `min` to `max` (inclusive); an
 * `InvalidArgumentError` names the option, the accepted range and what was given. Infinity,
 * NaN and fractions are refused: an unbounded cache or a timeout of NaN ms is never meant.
 */
export function checkWholeNumber(
  name: string,
  value: unknown,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  if (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max) {
    return value as number;
  }
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  throw new InvalidArgumentError(`${name} must be a whole number ${range}, not ${describe(value)}`);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

import type {
  IndexedData,
  IndexedItem,
  IndexedObject,
  IndexedScalar,
  IndexedValue,
  JsonValue,
} from './types.js';

/**
 * The JSON text SQLite's JSON functions query: the indexed data of a record, condition values
 * bound as JSON, and JSON paths naming one key.
 *
 * A Date is written as the object `{"$date": <epoch ms>}`; an indexed object never has that key,
 * so an object is a Date exactly when its `$date` member is there ({@link dateMillisSql}).
 */

/** The key of the object a Date becomes. */
export const DATE_KEY = '$date';

/** SQL that reads the epoch milliseconds out of the JSON text of a Date object `json`. */
export function dateMillisSql(json: string): string {
  return `json_extract(${json}, '$."${DATE_KEY}"')`;
}

/**
 * JSON text of a number that SQLite reads back as the same double. An integer literal beyond
 * 2^53 is read by SQLite as an exact 64-bit integer, which is not the double JavaScript meant
 * (`36708481407607780` is the double 36708481407607776): those are written in exponent form,
 * which SQLite reads as a double.
 */
export function numberJson(value: number): string {
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value.toExponential();
  return JSON.stringify(value);
}

/** JSON text of one scalar. */
export function scalarJson(value: IndexedScalar): string {
  if (typeof value === 'number') return numberJson(value);
  if (value instanceof Date) return `{"${DATE_KEY}":${value.getTime()}}`;
  return JSON.stringify(value);
}

/**
 * Canonical JSON text of JSON data: object keys sorted (by UTF-16 code unit, as
 * `Array.prototype.sort` does), no spaces, numbers as {@link numberJson} writes them. Two
 * structurally equal values have the same text, so SQL compares objects by comparing text.
 */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const object = value as IndexedObject;
    const members = Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] as JsonValue)}`);
    return `{${members.join(',')}}`;
  }
  return typeof value === 'number' ? numberJson(value) : JSON.stringify(value);
}

/** JSON text of one item of an indexed value: a scalar, or an object in canonical form. */
export function itemJson(value: IndexedItem): string {
  return isObjectItem(value) ? canonicalJson(value) : scalarJson(value);
}

/** Whether an indexed item is an object (not a scalar: Dates are scalars). */
export function isObjectItem(value: IndexedItem): value is IndexedObject {
  return typeof value === 'object' && value !== null && !(value instanceof Date);
}

/** JSON text of one indexed value. */
export function valueJson(value: IndexedValue): string {
  return Array.isArray(value)
    ? `[${value.map(itemJson).join(',')}]`
    : itemJson(value as IndexedItem);
}

/** JSON text of a record's indexed data, as the `indexed_data` column holds it. */
export function indexedJson(data: IndexedData): string {
  const members = Object.entries(data).map(
    ([key, value]) => `${JSON.stringify(key)}:${valueJson(value)}`,
  );
  return `{${members.join(',')}}`;
}

/**
 * The JSON path of the top-level key `key`: `$."key"`. SQLite ends a quoted path label at the
 * first `"`, whatever precedes it, and compares labels after decoding JSON escapes on both
 * sides; so `"` is written `\u0022`, and `\` and control characters as their JSON escapes.
 * Any key, dots included, then names exactly itself.
 */
export function jsonPath(key: string): string {
  let label = '';
  for (const char of key) {
    const code = char.charCodeAt(0);
    if (char === '\\') label += '\\\\';
    else if (char === '"' || code < 0x20) label += `\\u${code.toString(16).padStart(4, '0')}`;
    else label += char;
  }
  return `$."${label}"`;
}

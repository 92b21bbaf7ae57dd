import { InvalidArgumentError } from '../errors.js';
import { DATE_KEY } from './json-text.js';
import type {
  IndexedData,
  IndexedItem,
  IndexedObject,
  IndexedScalar,
  IndexedValue,
  JsonValue,
  ResourceMeta,
  ResourceMetaInit,
} from './types.js';

/**
 * Checks of what callers hand in. Everything the store writes or binds passes here first, so
 * nothing reaches SQLite that it would store differently from what was given.
 */

/** In Unicode mode paired surrogates form one code point, so this matches only lone ones. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Throw unless `value` is a string SQLite keeps and compares exactly: well-formed UTF-16 (a lone
 * surrogate would become U+FFFD in UTF-8) without U+0000 (SQLite's length() stops there, so
 * `len` and ordering by length would see a shorter string than the one stored).
 */
export function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what} must be a string`);
  if (LONE_SURROGATE.test(value)) {
    throw new InvalidArgumentError(
      `${what} holds a lone UTF-16 surrogate: ${JSON.stringify(value)}`,
    );
  }
  if (value.includes('\u0000')) {
    throw new InvalidArgumentError(`${what} holds the character U+0000, which cannot be stored`);
  }
  return value;
}

/** Throw unless `value` is a Date holding an instant. */
export function checkDate(value: unknown, what: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidArgumentError(`${what} must be a valid Date`);
  }
  return value;
}

/** Whether `value` is an {@link IndexedScalar} (without checking its content). */
export function isScalar(value: unknown): value is IndexedScalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value instanceof Date
  );
}

/** Throw unless `value` is a storable {@link IndexedScalar}. */
export function checkScalar(value: unknown, what: string): IndexedScalar {
  if (typeof value === 'string') return checkText(value, what);
  if (typeof value === 'number') {
    // JSON has no NaN or Infinity.
    if (!Number.isFinite(value)) throw new InvalidArgumentError(`${what} must be finite`);
    return value;
  }
  if (value instanceof Date) return checkDate(value, what);
  if (value === null || typeof value === 'boolean') return value;
  throw new InvalidArgumentError(
    `${what} must be a string, a finite number, a boolean, null or a Date, not ${describe(value)}`,
  );
}

/** Whether `value` is a plain object (not a Date, a list, or a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** How deep an indexed object may nest: SQLite's JSON functions refuse depths past 1,000. */
const MAX_OBJECT_DEPTH = 100;

/** Throw unless `value` is JSON data (`depth` levels down an indexed object). */
function checkJson(value: unknown, what: string, depth: number): JsonValue {
  if (depth > MAX_OBJECT_DEPTH) {
    throw new InvalidArgumentError(`${what} nests deeper than ${MAX_OBJECT_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(item, `${what}[${i}]`, depth + 1));
    return value as JsonValue[];
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      // MessagePack decoders refuse this key (it would reach Object.prototype).
      if (checkText(key, `a key of ${what}`) === '__proto__') {
        throw new InvalidArgumentError(`a key of ${what} must not be "__proto__"`);
      }
      checkJson(item, `${what}[${JSON.stringify(key)}]`, depth + 1);
    }
    return value as IndexedObject;
  }
  if (value instanceof Date) {
    throw new InvalidArgumentError(`${what}: an indexed object holds JSON data only, not a Date`);
  }
  return checkScalar(value, what) as JsonValue;
}

/** Throw unless `value` is a storable {@link IndexedItem}: a scalar or an indexed object. */
export function checkItem(value: unknown, what: string): IndexedItem {
  if (!isPlainObject(value)) return checkScalar(value, what);
  if (Object.hasOwn(value, DATE_KEY)) {
    throw new InvalidArgumentError(
      `${what}: the key "${DATE_KEY}" of an indexed object is reserved (it marks a stored Date)`,
    );
  }
  return checkJson(value, what, 1) as IndexedObject;
}

/** Throw unless `value` is a storable {@link IndexedValue}. */
export function checkIndexedValue(value: unknown, what: string): IndexedValue {
  if (!Array.isArray(value)) return checkItem(value, what);
  value.forEach((item, i) => checkItem(item, `${what}[${i}]`));
  return value as IndexedItem[];
}

/** Throw unless `key` can name an indexed field. */
export function checkFieldPath(key: unknown, what: string): string {
  const path = checkText(key, what);
  if (path === '') throw new InvalidArgumentError(`${what} must not be empty`);
  // MessagePack decoders refuse this key (it would reach Object.prototype).
  if (path === '__proto__') throw new InvalidArgumentError(`${what} must not be "__proto__"`);
  return path;
}

/** Throw unless `data` is a flat record of storable indexed values. */
export function checkIndexedData(data: unknown, what: string): IndexedData {
  if (typeof data !== 'object' || data === null || Array.isArray(data) || data instanceof Date) {
    throw new InvalidArgumentError(`${what} must be a plain object`);
  }
  for (const [key, value] of Object.entries(data)) {
    checkFieldPath(key, `a key of ${what}`);
    checkIndexedValue(value, `${what}[${JSON.stringify(key)}]`);
  }
  return data as IndexedData;
}

/**
 * Check a record handed to `set()` and fill in its optional fields. `id`, when given, is the
 * key it is stored under, which must be its `resourceId`.
 */
export function checkMeta(init: unknown, id?: string): ResourceMeta {
  if (typeof init !== 'object' || init === null) {
    throw new InvalidArgumentError('a resource meta must be an object');
  }
  const meta = init as Partial<ResourceMetaInit>;
  const resourceId = checkText(meta.resourceId, 'resourceId');
  const where = `resource meta ${JSON.stringify(resourceId)}`;
  if (id !== undefined && id !== resourceId) {
    throw new InvalidArgumentError(
      `${where} was given for the id ${JSON.stringify(id)}: the id must be its resourceId`,
    );
  }
  const count = meta.totalRevisionCount;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new InvalidArgumentError(`${where}: totalRevisionCount must be a whole number ≥ 0`);
  }
  if (meta.isDeleted !== undefined && typeof meta.isDeleted !== 'boolean') {
    throw new InvalidArgumentError(`${where}: isDeleted must be a boolean`);
  }
  const schemaVersion = meta.schemaVersion ?? null;
  return {
    resourceId,
    currentRevisionId: checkText(meta.currentRevisionId, `${where}: currentRevisionId`),
    totalRevisionCount: count,
    createdTime: checkDate(meta.createdTime, `${where}: createdTime`),
    updatedTime: checkDate(meta.updatedTime, `${where}: updatedTime`),
    createdBy: checkText(meta.createdBy, `${where}: createdBy`),
    updatedBy: checkText(meta.updatedBy, `${where}: updatedBy`),
    isDeleted: meta.isDeleted ?? false,
    schemaVersion:
      schemaVersion === null ? null : checkText(schemaVersion, `${where}: schemaVersion`),
    indexedData: checkIndexedData(meta.indexedData ?? {}, `${where}: indexedData`),
  };
}

/** A short name of `value`'s type for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value;
}

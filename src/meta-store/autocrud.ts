import { InvalidArgumentError } from '../errors.js';
import { metaFieldOfSnakeCase } from './schema.js';
import type { Filter, MetaField, Operator, SearchQuery, Sort } from './types.js';
import { describe, isPlainObject } from './values.js';

/**
 * AutoCRUD's search queries as they travel: `ResourceMetaSearchQuery` encoded by msgspec —
 * snake_case keys, conditions and sorts as tagged structs (a `type` member naming the struct),
 * datetimes as ISO 8601 text — turned into the {@link SearchQuery} that selects the same
 * records.
 */

/** AutoCRUD's operator names, by the store's. */
const OPERATOR_OF_NAME: Readonly<Record<string, Operator>> = {
  eq: 'eq',
  ne: 'ne',
  gt: 'gt',
  gte: 'gte',
  lt: 'lt',
  lte: 'lte',
  contains: 'contains',
  starts_with: 'startsWith',
  ends_with: 'endsWith',
  in: 'in',
  not_in: 'notIn',
  is_null: 'isNull',
  exists: 'exists',
  isna: 'isNa',
  regex: 'regex',
};

/** The meta fields AutoCRUD sorts by (`ResourceMetaSortKey`); any other sort is of indexed data. */
const SORT_KEYS: Readonly<Record<string, MetaField>> = {
  created_time: 'createdTime',
  updated_time: 'updatedTime',
  resource_id: 'resourceId',
};

const QUERY_KEYS = new Set([
  'is_deleted',
  'created_time_start',
  'created_time_end',
  'updated_time_start',
  'updated_time_end',
  'created_bys',
  'updated_bys',
  'conditions',
  'data_conditions',
  'limit',
  'offset',
  'sorts',
]);

/** Meta fields whose condition values AutoCRUD sends as datetimes (ISO text on the wire). */
const TIME_FIELDS: ReadonlySet<string> = new Set(['createdTime', 'updatedTime']);

/**
 * Convert an AutoCRUD search query — its JSON text, or that text parsed — to a
 * {@link SearchQuery} for {@link MetaStore.search} and {@link MetaStore.count}.
 *
 * Names are AutoCRUD's: `created_by`, `is_deleted`, `updated_time`… for meta fields (in
 * `conditions`; `data_conditions` name indexed-data keys only), `starts_with`, `not_in`,
 * `isna`… for operators, `{operator, conditions}` groups, sorts as `"+field"`/`"-field"`
 * strings or `{key | field_path, direction}` structs. A limit beyond 2^53 (AutoCRUD's
 * `2**63 - 1`) means no limit. A datetime without a zone is taken as UTC.
 * @throws InvalidArgumentError naming the part that is not an AutoCRUD query.
 */
export function fromAutoCrudQuery(json: string | object): SearchQuery {
  const query = objectOf(typeof json === 'string' ? parseJson(json) : json, 'the query');
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!QUERY_KEYS.has(key)) {
      throw new InvalidArgumentError(`AutoCRUD query: unknown key ${JSON.stringify(key)}`);
    }
    if (value === null || value === undefined) continue;
    const name = camelCase(key);
    if (key.endsWith('_start') || key.endsWith('_end')) result[name] = dateOf(value, key);
    else if (key === 'conditions' || key === 'data_conditions') {
      const dataOnly = key === 'data_conditions';
      result[name] = listOf(value, key).map((item, i) => filterOf(item, `${key}[${i}]`, dataOnly));
    } else if (key === 'sorts') result[name] = listOf(value, key).map(sortOf);
    else result[name] = value;
  }
  return result as SearchQuery;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`AutoCRUD query: not JSON: ${(error as Error).message}`);
  }
}

function filterOf(item: unknown, where: string, dataOnly: boolean): Filter {
  const object = objectOf(item, where);
  if ('field_path' in object) return conditionOf(object, where, dataOnly);
  checkKeys(object, ['type', 'operator', 'conditions'], where);
  const operator = object.operator;
  if (operator !== 'and' && operator !== 'or' && operator !== 'not') {
    throw new InvalidArgumentError(
      `AutoCRUD query: ${where}.operator must be "and", "or" or "not", not ${JSON.stringify(operator)}`,
    );
  }
  const children = listOf(object.conditions, `${where}.conditions`).map((child, i) =>
    filterOf(child, `${where}.conditions[${i}]`, dataOnly),
  );
  return { [operator]: children } as unknown as Filter;
}

function conditionOf(object: Record<string, unknown>, where: string, dataOnly: boolean): Filter {
  checkKeys(object, ['type', 'field_path', 'operator', 'value', 'transform'], where);
  const path = object.field_path;
  if (typeof path !== 'string') {
    throw new InvalidArgumentError(`AutoCRUD query: ${where}.field_path must be a string`);
  }
  const op = typeof object.operator === 'string' ? OPERATOR_OF_NAME[object.operator] : undefined;
  if (op === undefined) {
    throw new InvalidArgumentError(
      `AutoCRUD query: ${where}: unknown operator ${JSON.stringify(object.operator)}`,
    );
  }
  const field = (dataOnly ? undefined : metaFieldOfSnakeCase(path)) ?? path;
  let value = object.value;
  if (TIME_FIELDS.has(field) && value !== null && value !== undefined) {
    value = Array.isArray(value)
      ? value.map((item, i) => dateOf(item, `${where}.value[${i}]`))
      : dateOf(value, `${where}.value`);
  }
  const condition: Record<string, unknown> = { field, op };
  if (value !== undefined) condition.value = value;
  if (object.transform !== undefined && object.transform !== null) {
    condition.transform = object.transform;
  }
  return condition as unknown as Filter;
}

function sortOf(item: unknown, i: number): Sort {
  const where = `sorts[${i}]`;
  if (typeof item === 'string') {
    const descending = item.startsWith('-');
    const name = item.startsWith('-') || item.startsWith('+') ? item.slice(1) : item;
    return { field: SORT_KEYS[name] ?? name, direction: descending ? 'desc' : 'asc' };
  }
  const object = objectOf(item, where);
  checkKeys(object, ['type', 'key', 'field_path', 'direction'], where);
  const direction = object.direction ?? '+';
  if (direction !== '+' && direction !== '-') {
    throw new InvalidArgumentError(
      `AutoCRUD query: ${where}.direction must be "+" or "-", not ${JSON.stringify(direction)}`,
    );
  }
  let field: string | undefined;
  if (typeof object.key === 'string') {
    field = SORT_KEYS[object.key];
    if (field === undefined) {
      throw new InvalidArgumentError(
        `AutoCRUD query: ${where}.key must be one of ${Object.keys(SORT_KEYS).join(', ')}, not ${JSON.stringify(object.key)}`,
      );
    }
  } else if (typeof object.field_path === 'string') field = object.field_path;
  else throw new InvalidArgumentError(`AutoCRUD query: ${where} needs a key or a field_path`);
  return { field, direction: direction === '-' ? 'desc' : 'asc' };
}

/** A datetime as AutoCRUD sends it: ISO 8601 text (UTC when it names no zone) or a Date. */
function dateOf(value: unknown, where: string): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    const zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(value) || !value.includes('T') ? value : `${value}Z`;
    const date = new Date(zoned);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new InvalidArgumentError(
    `AutoCRUD query: ${where} must be an ISO 8601 datetime, not ${JSON.stringify(value)}`,
  );
}

function objectOf(value: unknown, where: string): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(
      `AutoCRUD query: ${where} must be an object, not ${describe(value)}`,
    );
  }
  return value;
}

function listOf(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      `AutoCRUD query: ${where} must be a list, not ${describe(value)}`,
    );
  }
  return value;
}

function checkKeys(object: Record<string, unknown>, allowed: string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(
        `AutoCRUD query: ${where}: unknown key ${JSON.stringify(key)}`,
      );
    }
  }
}

function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

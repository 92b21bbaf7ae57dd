import { InvalidArgumentError } from '../errors.js';
import { isMetaField, META_COLUMNS, type ColumnKind } from './schema.js';
import type {
  Filter,
  IndexedScalar,
  IndexedValue,
  MetaField,
  Operator,
  SearchQuery,
} from './types.js';
import { checkFieldPath, checkScalar, checkText, describe, isScalar } from './values.js';

/**
 * Checks a {@link SearchQuery} and turns it into a tree the compiler walks. Every way a query
 * can be wrong is an `InvalidArgumentError` here, before any SQL runs: an unknown operator or
 * key, a value of the wrong shape, a value a meta field can never hold.
 */

/** What a condition tests: a meta field's column or an indexed-data path. */
export type Target = { kind: 'meta'; field: MetaField } | { kind: 'data'; path: string };

/** One condition, its value checked and shaped for its operator. */
export type Leaf =
  | { type: 'leaf'; target: Target; len: boolean; op: 'eq' | 'ne'; value: IndexedValue }
  | {
      type: 'leaf';
      target: Target;
      len: boolean;
      op: 'gt' | 'gte' | 'lt' | 'lte' | 'contains';
      value: Exclude<IndexedScalar, null>;
    }
  | { type: 'leaf'; target: Target; len: boolean; op: 'in' | 'notIn'; value: IndexedScalar[] }
  | { type: 'leaf'; target: Target; len: false; op: 'startsWith' | 'endsWith'; value: string }
  | { type: 'leaf'; target: Target; len: false; op: 'regex'; value: RegExp }
  | { type: 'leaf'; target: Target; len: false; op: 'isNull' | 'exists' | 'isNa'; value: boolean };

/** A checked filter. */
export type Node = Leaf | { type: 'and' | 'or'; children: Node[] } | { type: 'not'; child: Node };

/** One checked sort key. */
export interface SortKey {
  target: Target;
  descending: boolean;
}

/** A checked query. */
export interface ParsedQuery {
  /** Conjuncts that must all be TRUE. */
  where: Node[];
  sorts: SortKey[];
  /** Infinity for no limit. */
  limit: number;
  offset: number;
}

const OPERATORS: ReadonlySet<string> = new Set<Operator>([
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'startsWith',
  'endsWith',
  'in',
  'notIn',
  'isNull',
  'exists',
  'isNa',
  'regex',
]);

const QUERY_KEYS: ReadonlySet<string> = new Set<keyof SearchQuery>([
  'isDeleted',
  'createdTimeStart',
  'createdTimeEnd',
  'updatedTimeStart',
  'updatedTimeEnd',
  'createdBys',
  'updatedBys',
  'conditions',
  'dataConditions',
  'sorts',
  'limit',
  'offset',
]);

const CONDITION_KEYS: ReadonlySet<string> = new Set(['field', 'op', 'value', 'transform']);

const DEFAULT_LIMIT = 10;

/** Check `query` (search and count) and shape it for the compiler. */
export function parseQuery(query: SearchQuery = {}): ParsedQuery {
  if (typeof query !== 'object' || query === null) {
    throw new InvalidArgumentError('a search query must be an object');
  }
  checkKeys(query, QUERY_KEYS, 'search query');
  const where: Node[] = [];
  const meta = (name: keyof SearchQuery, field: MetaField, op: Operator): void => {
    const value = query[name];
    if (value !== undefined) where.push(parseFilter({ field, op, value } as Filter, name, false));
  };
  meta('isDeleted', 'isDeleted', 'eq');
  meta('createdTimeStart', 'createdTime', 'gte');
  meta('createdTimeEnd', 'createdTime', 'lte');
  meta('updatedTimeStart', 'updatedTime', 'gte');
  meta('updatedTimeEnd', 'updatedTime', 'lte');
  meta('createdBys', 'createdBy', 'in');
  meta('updatedBys', 'updatedBy', 'in');
  for (const [name, dataOnly] of [
    ['conditions', false],
    ['dataConditions', true],
  ] as const) {
    const filters = query[name];
    if (filters === undefined) continue;
    if (!Array.isArray(filters)) throw new InvalidArgumentError(`${name} must be an array`);
    filters.forEach((filter, i) => where.push(parseFilter(filter, `${name}[${i}]`, dataOnly)));
  }
  return {
    where,
    sorts: parseSorts(query.sorts),
    limit: parseCount(query.limit, 'limit', DEFAULT_LIMIT, true),
    offset: parseCount(query.offset, 'offset', 0, false),
  };
}

function parseFilter(filter: Filter, where: string, dataOnly: boolean): Node {
  if (typeof filter !== 'object' || filter === null) {
    throw new InvalidArgumentError(
      `${where} must be a condition or a group, not ${describe(filter)}`,
    );
  }
  const keys = Object.keys(filter);
  if ('field' in filter || 'op' in filter) {
    checkKeys(filter, CONDITION_KEYS, where);
    return parseCondition(filter as Record<string, unknown>, where, dataOnly);
  }
  const group = keys.length === 1 ? keys[0] : undefined;
  if (group !== 'and' && group !== 'or' && group !== 'not') {
    throw new InvalidArgumentError(
      `${where} must be a condition { field, op, value } or one of { and | or | not: [...] }; it has keys ${JSON.stringify(keys)}`,
    );
  }
  const items = (filter as unknown as Record<string, unknown>)[group];
  if (!Array.isArray(items)) throw new InvalidArgumentError(`${where}.${group} must be an array`);
  const children = items.map((item: Filter, i) =>
    parseFilter(item, `${where}.${group}[${i}]`, dataOnly),
  );
  return group === 'not'
    ? { type: 'not', child: { type: 'and', children } }
    : { type: group, children };
}

function parseTarget(field: unknown, where: string, dataOnly: boolean): Target {
  if (typeof field === 'string' && !dataOnly && isMetaField(field)) return { kind: 'meta', field };
  return { kind: 'data', path: checkFieldPath(field, `${where}.field`) };
}

function parseCondition(
  condition: Record<string, unknown>,
  where: string,
  dataOnly: boolean,
): Node {
  const target = parseTarget(condition.field, where, dataOnly);
  const op = condition.op;
  if (typeof op !== 'string' || !OPERATORS.has(op)) {
    throw new InvalidArgumentError(`${where}: unknown operator ${JSON.stringify(op)}`);
  }
  const transform = condition.transform;
  if (transform !== undefined && transform !== 'len') {
    throw new InvalidArgumentError(`${where}: unknown transform ${JSON.stringify(transform)}`);
  }
  const len = transform === 'len';
  const label = `${where} (${String(condition.field)} ${op})`;
  const value = condition.value;
  const kind: ValueKind = valueKind(target, len, label);
  switch (op) {
    case 'isNull':
    case 'exists':
    case 'isNa':
      noTransform(len, label);
      if (value !== undefined && typeof value !== 'boolean') {
        throw new InvalidArgumentError(
          `${label}: the value must be a boolean (or left out for true)`,
        );
      }
      return { type: 'leaf', target, len: false, op, value: value ?? true };
    case 'eq':
    case 'ne':
      if (Array.isArray(value) && kind === 'any') {
        value.forEach((item, i) => checkScalar(item, `${label}: value[${i}]`));
        return { type: 'leaf', target, len, op, value: value as IndexedScalar[] };
      }
      return { type: 'leaf', target, len, op, value: checkValue(value, kind, label) };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { type: 'leaf', target, len, op, value: checkValue(value, kind, label) };
    case 'contains':
      noTransform(len, label);
      return {
        type: 'leaf',
        target,
        len,
        op,
        value: checkValue(value, kind === 'any' ? 'any' : stringsOnly(kind, label), label),
      };
    case 'in':
    case 'notIn': {
      if (!Array.isArray(value))
        throw new InvalidArgumentError(`${label}: the value must be an array`);
      const items = value.map((item, i) => checkValue(item, kind, `${label}: value[${i}]`));
      return { type: 'leaf', target, len, op, value: items };
    }
    case 'startsWith':
    case 'endsWith':
      noTransform(len, label);
      if (kind !== 'any') stringsOnly(kind, label);
      return {
        type: 'leaf',
        target,
        len: false,
        op,
        value: checkText(value, `${label}: the value`),
      };
    case 'regex':
      noTransform(len, label);
      if (kind !== 'any') stringsOnly(kind, label);
      return { type: 'leaf', target, len: false, op, value: parseRegex(value, label) };
  }
  throw new InvalidArgumentError(`${label}: unknown operator`);
}

/**
 * The scalar type a condition's value must have: fixed for a meta field (its column's) and
 * for `len` (a number); `any` non-null scalar for indexed data, whose types are only known
 * per record.
 */
type ValueKind = 'any' | 'string' | 'number' | 'boolean' | 'date';

const KIND_OF_COLUMN: Readonly<Record<ColumnKind, ValueKind>> = {
  text: 'string',
  nullableText: 'string',
  count: 'number',
  boolean: 'boolean',
  time: 'date',
};

function valueKind(target: Target, len: boolean, label: string): ValueKind {
  if (target.kind === 'meta') {
    const kind = KIND_OF_COLUMN[META_COLUMNS[target.field].kind];
    if (len && kind !== 'string') {
      throw new InvalidArgumentError(`${label}: len applies to strings and lists only`);
    }
    if (len) return 'number';
    return kind;
  }
  return len ? 'number' : 'any';
}

function noTransform(len: boolean, label: string): void {
  if (len)
    throw new InvalidArgumentError(
      `${label}: len applies to eq, ne, gt, gte, lt, lte, in and notIn`,
    );
}

function stringsOnly(kind: ValueKind, label: string): ValueKind {
  if (kind !== 'string')
    throw new InvalidArgumentError(`${label}: this operator applies to strings only`);
  return kind;
}

function checkValue(value: unknown, kind: ValueKind, label: string): Exclude<IndexedScalar, null> {
  if (value === null || value === undefined) {
    throw new InvalidArgumentError(
      `${label}: the value must not be ${String(value)} (to test for null use isNull or isNa)`,
    );
  }
  if (!isScalar(value)) {
    throw new InvalidArgumentError(`${label}: the value must be a scalar, not ${describe(value)}`);
  }
  const checked = checkScalar(value, `${label}: the value`) as Exclude<IndexedScalar, null>;
  const actual: ValueKind = checked instanceof Date ? 'date' : (typeof checked as ValueKind);
  if (kind !== 'any' && actual !== kind) {
    throw new InvalidArgumentError(
      `${label}: the value must be a ${kind === 'date' ? 'Date' : kind}`,
    );
  }
  return checked;
}

function parseRegex(value: unknown, label: string): RegExp {
  // g and y make test() start where the last match ended; a condition has no such state.
  if (value instanceof RegExp) return new RegExp(value.source, value.flags.replace(/[gy]/g, ''));
  const pattern = checkText(value, `${label}: the pattern`);
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new InvalidArgumentError(
      `${label}: invalid regular expression: ${(error as Error).message}`,
    );
  }
}

function parseSorts(sorts: SearchQuery['sorts']): SortKey[] {
  if (sorts === undefined) return [];
  if (!Array.isArray(sorts)) throw new InvalidArgumentError('sorts must be an array');
  return sorts.map((sort, i) => {
    const where = `sorts[${i}]`;
    if (typeof sort !== 'object' || sort === null)
      throw new InvalidArgumentError(`${where} must be an object`);
    checkKeys(sort, new Set(['field', 'direction']), where);
    const direction = sort.direction ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc') {
      throw new InvalidArgumentError(`${where}.direction must be 'asc' or 'desc'`);
    }
    return { target: parseTarget(sort.field, where, false), descending: direction === 'desc' };
  });
}

function parseCount(value: unknown, name: string, fallback: number, infinite: boolean): number {
  if (value === undefined) return fallback;
  if (infinite && value === Infinity) return value;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `${name} must be a whole number ≥ 0${infinite ? ' or Infinity' : ''}`,
    );
  }
  return value;
}

function checkKeys(object: object, allowed: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.has(key))
      throw new InvalidArgumentError(`${where}: unknown key ${JSON.stringify(key)}`);
  }
}

/** Whether `query` has a `regex` condition (whose compiling reads the database). */
export function usesRegex(query: ParsedQuery): boolean {
  const visit = (node: Node): boolean => {
    if (node.type === 'leaf') return node.op === 'regex';
    if (node.type === 'not') return visit(node.child);
    return node.children.some(visit);
  };
  return query.where.some(visit);
}

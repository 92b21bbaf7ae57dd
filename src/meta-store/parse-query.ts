import { InvalidArgumentError } from '../errors.js';
import { compilePattern, type Pattern } from './regex.js';
import { isMetaField, META_COLUMNS, metaFieldOfSnakeCase, type ColumnKind } from './schema.js';
import type {
  Filter,
  IndexedItem,
  IndexedScalar,
  MetaField,
  Operator,
  SearchQuery,
} from './types.js';
import {
  checkDate,
  checkFieldPath,
  checkItem,
  checkText,
  describe,
  isPlainObject,
  isScalar,
} from './values.js';

/**
 * Checks a {@link SearchQuery} and turns it into a tree the compiler walks. Every way a query
 * can be wrong is an `InvalidArgumentError` here, before any SQL runs: an unknown operator or
 * key, a value of the wrong shape, an operator a meta field's type can never satisfy.
 */

/** What a condition tests: a meta field's column or an indexed-data path. */
export type Target = { kind: 'meta'; field: MetaField } | { kind: 'data'; path: string };

/** One condition, its value checked and shaped for its operator. */
export type Leaf =
  | {
      type: 'leaf';
      target: Target;
      len: boolean;
      op: 'eq' | 'ne';
      value: Exclude<IndexedItem, null> | IndexedItem[];
    }
  | {
      type: 'leaf';
      target: Target;
      len: boolean;
      op: 'gt' | 'gte' | 'lt' | 'lte';
      value: Exclude<IndexedScalar, null>;
    }
  | {
      type: 'leaf';
      target: Target;
      len: boolean;
      op: 'contains';
      value: Exclude<IndexedItem, null>;
    }
  | {
      type: 'leaf';
      target: Target;
      len: boolean;
      op: 'in' | 'notIn';
      value: Exclude<IndexedItem, null>[];
    }
  | { type: 'leaf'; target: Target; len: false; op: 'startsWith' | 'endsWith'; value: string }
  | { type: 'leaf'; target: Target; len: false; op: 'regex'; value: Pattern }
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

/**
 * Check `query` (search and count) and shape it for the compiler. `dataKeys`: indexed-data
 * keys the store declared, which may be spelled like AutoCRUD's meta field names.
 */
export function parseQuery(
  query: SearchQuery = {},
  dataKeys: ReadonlySet<string> = new Set(),
): ParsedQuery {
  if (typeof query !== 'object' || query === null) {
    throw new InvalidArgumentError('a search query must be an object');
  }
  checkKeys(query, QUERY_KEYS, 'search query');
  const where: Node[] = [];
  const meta = (name: keyof SearchQuery, field: MetaField, op: Operator): void => {
    const value = query[name];
    if (value === undefined) return;
    // These keys name one meta field each, so a value of another type is a mistake (a date
    // string for a Date), not a value that is simply never equal.
    const kind = META_COLUMNS[field].kind;
    const items: unknown[] = op === 'in' ? (Array.isArray(value) ? value : [value]) : [value];
    items.forEach((item, i) => {
      const what = op === 'in' ? `${name}[${i}]` : name;
      if (kind === 'time') checkDate(item, what);
      else if (kind === 'boolean' && typeof item !== 'boolean') {
        throw new InvalidArgumentError(`${what} must be a boolean`);
      } else if (kind === 'text') checkText(item, what);
    });
    where.push(parseFilter({ field, op, value } as Filter, name, { dataKeys, dataOnly: false }));
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
    filters.forEach((filter, i) =>
      where.push(parseFilter(filter, `${name}[${i}]`, { dataKeys, dataOnly })),
    );
  }
  return {
    where,
    sorts: parseSorts(query.sorts, dataKeys),
    limit: parseCount(query.limit, 'limit', DEFAULT_LIMIT, true),
    offset: parseCount(query.offset, 'offset', 0, false),
  };
}

function parseFilter(filter: Filter, where: string, names: Names): Node {
  if (typeof filter !== 'object' || filter === null) {
    throw new InvalidArgumentError(
      `${where} must be a condition or a group, not ${describe(filter)}`,
    );
  }
  const keys = Object.keys(filter);
  if ('field' in filter || 'op' in filter) {
    checkKeys(filter, CONDITION_KEYS, where);
    return parseCondition(filter as Record<string, unknown>, where, names);
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
    parseFilter(item, `${where}.${group}[${i}]`, names),
  );
  return group === 'not'
    ? { type: 'not', child: { type: 'and', children } }
    : { type: group, children };
}

/** What a query's field names may mean, beyond the meta fields. */
interface Names {
  /** Indexed-data keys the caller declared (its `indexedFields`): never taken for a typo. */
  readonly dataKeys: ReadonlySet<string>;
  /** Every field names an indexed-data key (`dataConditions`). */
  readonly dataOnly: boolean;
}

function parseTarget(field: unknown, where: string, names: Names): Target {
  if (typeof field === 'string' && !names.dataOnly) {
    if (isMetaField(field)) return { kind: 'meta', field };
    const meant = metaFieldOfSnakeCase(field);
    if (meant !== undefined && !names.dataKeys.has(field)) {
      throw new InvalidArgumentError(
        `${where}: "${field}" is AutoCRUD's spelling of the meta field "${meant}": write "${meant}" (or convert the whole query with fromAutoCrudQuery); to query an indexed-data key of that name, list it in indexedFields or use dataConditions`,
      );
    }
  }
  return { kind: 'data', path: checkFieldPath(field, `${where}.field`) };
}

function parseCondition(condition: Record<string, unknown>, where: string, names: Names): Node {
  const target = parseTarget(condition.field, where, names);
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
  const column = columnKind(target, len, label);
  // A value of another type than a meta field's is allowed: it is simply never equal.
  const kind: ValueKind = len ? 'number' : 'any';
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
        value.forEach((item, i) => checkItem(item, `${label}: value[${i}]`));
        return { type: 'leaf', target, len, op, value: value as IndexedItem[] };
      }
      return { type: 'leaf', target, len, op, value: checkValue(value, kind, label, true) };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return {
        type: 'leaf',
        target,
        len,
        op,
        value: checkValue(value, kind, label, false) as Exclude<IndexedScalar, null>,
      };
    case 'contains':
      noTransform(len, label);
      stringsOnly(column, label);
      return { type: 'leaf', target, len, op, value: checkValue(value, kind, label, true) };
    case 'in':
    case 'notIn': {
      if (!Array.isArray(value))
        throw new InvalidArgumentError(`${label}: the value must be an array`);
      const items = value.map((item, i) => checkValue(item, kind, `${label}: value[${i}]`, true));
      return { type: 'leaf', target, len, op, value: items };
    }
    case 'startsWith':
    case 'endsWith':
      noTransform(len, label);
      stringsOnly(column, label);
      return {
        type: 'leaf',
        target,
        len: false,
        op,
        value: checkText(value, `${label}: the value`),
      };
    case 'regex':
      noTransform(len, label);
      stringsOnly(column, label);
      return { type: 'leaf', target, len: false, op, value: compilePattern(value, label) };
  }
  throw new InvalidArgumentError(`${label}: unknown operator`);
}

/**
 * The values a condition compares with: a number for `len`, any non-null item otherwise
 * (indexed data's types are only known per record, and a meta field of another type is simply
 * not equal).
 */
type ValueKind = 'any' | 'number';

/** What the field holds: a meta field's column type (`len`: the column's length), or `any`. */
type FieldKind = ColumnKind | 'any';

function columnKind(target: Target, len: boolean, label: string): FieldKind {
  if (target.kind !== 'meta') return 'any';
  const kind = META_COLUMNS[target.field].kind;
  if (len && kind !== 'text' && kind !== 'nullableText') {
    throw new InvalidArgumentError(`${label}: len applies to strings and lists only`);
  }
  return kind;
}

function noTransform(len: boolean, label: string): void {
  if (len)
    throw new InvalidArgumentError(
      `${label}: len applies to eq, ne, gt, gte, lt, lte, in and notIn`,
    );
}

/** Refuse a string operator on a meta field that never holds a string. */
function stringsOnly(kind: FieldKind, label: string): void {
  if (kind !== 'any' && kind !== 'text' && kind !== 'nullableText')
    throw new InvalidArgumentError(`${label}: this operator applies to strings only`);
}

/** A non-null value of `kind`: a scalar, or (with `objects`) an indexed object. */
function checkValue(
  value: unknown,
  kind: ValueKind,
  label: string,
  objects: boolean,
): Exclude<IndexedItem, null> {
  if (value === null || value === undefined) {
    throw new InvalidArgumentError(
      `${label}: the value must not be ${String(value)} (to test for null use isNull or isNa)`,
    );
  }
  if (!isScalar(value) && !(objects && kind === 'any' && isPlainObject(value))) {
    throw new InvalidArgumentError(
      `${label}: the value must be a ${objects ? 'scalar or an object' : 'scalar'}, not ${describe(value)}`,
    );
  }
  const checked = checkItem(value, `${label}: the value`) as Exclude<IndexedItem, null>;
  if (kind === 'number' && typeof checked !== 'number') {
    throw new InvalidArgumentError(`${label}: the value must be a number`);
  }
  return checked;
}

function parseSorts(sorts: SearchQuery['sorts'], dataKeys: ReadonlySet<string>): SortKey[] {
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
    return {
      target: parseTarget(sort.field, where, { dataKeys, dataOnly: false }),
      descending: direction === 'desc',
    };
  });
}

/**
 * The largest limit taken as a number: anything above it (AutoCRUD's "no limit" is
 * 2**63 - 1) exceeds any count of rows, so it means no limit.
 */
const LARGEST_LIMIT = Number.MAX_SAFE_INTEGER;

function parseCount(value: unknown, name: string, fallback: number, infinite: boolean): number {
  if (value === undefined) return fallback;
  if (infinite && typeof value === 'number' && value > LARGEST_LIMIT) return Infinity;
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

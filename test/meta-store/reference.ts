import { RE2JS } from 're2js';
import type {
  Condition,
  Filter,
  IndexedItem,
  IndexedScalar,
  IndexedValue,
  MetaField,
  ResourceMeta,
  SearchQuery,
  Sort,
} from '../../src/meta-store/index.js';

/**
 * An in-memory evaluator of the store's query semantics, written from the documented rules
 * (docs/meta-store.md), not from the SQL compiler. Truth values: true, false, and undefined for
 * SQL's UNKNOWN.
 */
type Truth = boolean | undefined;

const MISSING = Symbol('missing');
type Found = IndexedValue | typeof MISSING;

const META_FIELDS: readonly MetaField[] = [
  'resourceId',
  'currentRevisionId',
  'totalRevisionCount',
  'createdTime',
  'updatedTime',
  'createdBy',
  'updatedBy',
  'isDeleted',
  'schemaVersion',
];

const isMetaField = (field: string): field is MetaField =>
  (META_FIELDS as readonly string[]).includes(field);

/** The value `field` has in `meta`: a meta field, or an indexed-data key (MISSING if absent). */
function lookup(meta: ResourceMeta, field: string, dataOnly: boolean): Found {
  if (!dataOnly && isMetaField(field)) return meta[field];
  return Object.hasOwn(meta.indexedData, field) ? (meta.indexedData[field] as Found) : MISSING;
}

type Kind = 'string' | 'number' | 'boolean' | 'date' | 'list' | 'object';

function kindOf(value: IndexedValue): Kind | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Date) return 'date';
  if (typeof value === 'object') return 'object';
  return typeof value as Kind;
}

/** JSON text with every object's keys sorted: equal for structurally equal objects. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/** Order of strings by code point (UTF-8 byte order), which is not JavaScript's `<`. */
export function compareText(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Equal values of one kind; values of different kinds are never equal. */
function same(a: IndexedValue, b: IndexedValue): boolean {
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return false;
  if (kind === 'list') {
    const x = a as readonly IndexedItem[];
    const y = b as readonly IndexedItem[];
    return x.length === y.length && x.every((item, i) => same(item, y[i] as IndexedItem));
  }
  if (kind === 'object') return sortedJson(a) === sortedJson(b);
  if (kind === 'date') return (a as Date).getTime() === (b as Date).getTime();
  return a === b;
}

/** The order of two values of one orderable kind; undefined across kinds. */
function compare(a: IndexedValue, b: IndexedScalar): number | undefined {
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return undefined;
  switch (kind) {
    case 'string':
      return compareText(a as string, b as string);
    case 'number':
      return (a as number) - (b as number);
    case 'boolean':
      return Number(a) - Number(b);
    case 'date':
      return (a as Date).getTime() - (b as Date).getTime();
    default:
      return undefined;
  }
}

/** A comparison: FALSE across kinds. */
function ordered(
  value: IndexedValue,
  wanted: IndexedScalar,
  test: (order: number) => boolean,
): boolean {
  const order = compare(value, wanted);
  return order !== undefined && test(order);
}

function leaf(meta: ResourceMeta, condition: Condition, dataOnly: boolean): Truth {
  let value = lookup(meta, condition.field, dataOnly);
  const wanted = condition.value;
  const flag = (wanted ?? true) as boolean;
  switch (condition.op) {
    case 'exists':
      return (value !== MISSING) === flag;
    case 'isNa':
      return (value === MISSING || value === null) === flag;
    case 'isNull':
      return value === MISSING ? undefined : (value === null) === flag;
  }
  if (condition.transform === 'len') {
    if (typeof value === 'string') value = [...value].length;
    else if (Array.isArray(value)) value = value.length;
    else value = MISSING;
  }
  if (value === MISSING || value === null) return undefined;
  const v = value;
  const q = wanted as IndexedScalar;
  switch (condition.op) {
    case 'eq':
      return same(v, wanted as IndexedValue);
    case 'ne':
      return !same(v, wanted as IndexedValue);
    case 'gt':
      return ordered(v, q, (d) => d > 0);
    case 'gte':
      return ordered(v, q, (d) => d >= 0);
    case 'lt':
      return ordered(v, q, (d) => d < 0);
    case 'lte':
      return ordered(v, q, (d) => d <= 0);
    case 'in':
      return (wanted as IndexedItem[]).some((item) => same(v, item));
    case 'notIn':
      return !(wanted as IndexedItem[]).some((item) => same(v, item));
    case 'contains':
      if (Array.isArray(v)) {
        return v.some((item: IndexedItem) => item !== null && same(item, wanted as IndexedItem));
      }
      return typeof v === 'string' && typeof q === 'string' && v.includes(q);
    case 'startsWith':
      return typeof v === 'string' && v.startsWith(q as string);
    case 'endsWith':
      return typeof v === 'string' && v.endsWith(q as string);
    case 'regex': {
      // RE2 syntax, which reads Python's leading (?i) itself; (?u) is Python's default.
      const re =
        wanted instanceof RegExp
          ? RE2JS.compile(RE2JS.translateRegExp(wanted), regexFlags(wanted.flags))
          : RE2JS.compile((wanted as unknown as string).replace(/^\(\?u\)/, ''));
      return typeof v === 'string' && re.test(v);
    }
  }
  throw new Error(`reference: unknown operator ${String(condition.op)}`);
}

function regexFlags(flags: string): number {
  let result = 0;
  if (flags.includes('i')) result |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) result |= RE2JS.MULTILINE;
  if (flags.includes('s')) result |= RE2JS.DOTALL;
  return result;
}

/** Kleene logic: AND is false if any is false, else unknown if any is unknown. */
function and(values: Truth[]): Truth {
  if (values.includes(false)) return false;
  return values.includes(undefined) ? undefined : true;
}

function or(values: Truth[]): Truth {
  if (values.includes(true)) return true;
  return values.includes(undefined) ? undefined : false;
}

/** The truth of `filter` for `meta`. */
export function evaluate(meta: ResourceMeta, filter: Filter, dataOnly = false): Truth {
  if ('and' in filter) return and(filter.and.map((f) => evaluate(meta, f, dataOnly)));
  if ('or' in filter) return or(filter.or.map((f) => evaluate(meta, f, dataOnly)));
  if ('not' in filter) {
    const inner = and(filter.not.map((f) => evaluate(meta, f, dataOnly)));
    return inner === undefined ? undefined : !inner;
  }
  return leaf(meta, filter, dataOnly);
}

/** Whether `query` selects `meta` (its filters all TRUE). */
export function selects(meta: ResourceMeta, query: SearchQuery): boolean {
  const time = (date: Date): number => date.getTime();
  if (query.isDeleted !== undefined && meta.isDeleted !== query.isDeleted) return false;
  if (query.createdTimeStart && time(meta.createdTime) < time(query.createdTimeStart)) return false;
  if (query.createdTimeEnd && time(meta.createdTime) > time(query.createdTimeEnd)) return false;
  if (query.updatedTimeStart && time(meta.updatedTime) < time(query.updatedTimeStart)) return false;
  if (query.updatedTimeEnd && time(meta.updatedTime) > time(query.updatedTimeEnd)) return false;
  if (query.createdBys && !query.createdBys.includes(meta.createdBy)) return false;
  if (query.updatedBys && !query.updatedBys.includes(meta.updatedBy)) return false;
  if (!(query.conditions ?? []).every((f) => evaluate(meta, f) === true)) return false;
  return (query.dataConditions ?? []).every((f) => evaluate(meta, f, true) === true);
}

/** Sort key of a value: a rank by kind (null and missing first), then the value. */
function sortKey(meta: ResourceMeta, field: string): [number, number | string | null] {
  const value = lookup(meta, field, false);
  if (value === MISSING || value === null) return [0, null];
  if (typeof value === 'boolean') return [1, Number(value)];
  if (typeof value === 'number') return [2, value];
  if (value instanceof Date) return [3, value.getTime()];
  if (typeof value === 'string') return [4, value];
  if (Array.isArray(value)) return [5, value.length];
  return [6, sortedJson(value)];
}

function compareKeys(
  a: [number, number | string | null],
  b: [number, number | string | null],
): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  const [x, y] = [a[1], b[1]];
  if (x === null || y === null) return 0;
  if (typeof x === 'string') return compareText(x, y as string);
  return (x as number) - (y as number);
}

function compareBy(sorts: readonly Sort[]): (a: ResourceMeta, b: ResourceMeta) => number {
  return (a, b) => {
    for (const sort of sorts) {
      const d = compareKeys(sortKey(a, sort.field), sortKey(b, sort.field));
      if (d !== 0) return sort.direction === 'desc' ? -d : d;
    }
    return compareText(a.resourceId, b.resourceId);
  };
}

/** What a search for `query` over `metas` returns, by the reference semantics. */
export function referenceSearch(
  metas: readonly ResourceMeta[],
  query: SearchQuery,
): ResourceMeta[] {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 10;
  const sorted = metas.filter((meta) => selects(meta, query)).sort(compareBy(query.sorts ?? []));
  return sorted.slice(offset, limit === Infinity ? undefined : offset + limit);
}

/** What `count(query)` returns over `metas`. */
export function referenceCount(metas: readonly ResourceMeta[], query: SearchQuery): number {
  return metas.filter((meta) => selects(meta, query)).length;
}

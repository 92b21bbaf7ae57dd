import type { BindValue } from '../db/index.js';
import { dateMillisSql, isObjectItem, numberJson } from './json-text.js';
import type { ColumnKind } from './schema.js';
import type { IndexedItem, IndexedScalar } from './types.js';

/**
 * The pieces the query compiler builds SQL from: the classes values compare within, bound
 * parameters, and the SQL of tests shared by meta fields and indexed data.
 */
/**
 * SQL mapping the JSON type `type` (`json_type`) to the class conditions compare within; a
 * missing key (NULL type) and JSON null are both `null`. A JSON object is a Date when
 * `dateMillis` (its `$date` member) is there, an indexed object otherwise.
 */
export function classSql(type: string, dateMillis: Expr): string {
  return `CASE ${type} WHEN 'text' THEN 'string' WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'true' THEN 'boolean' WHEN 'false' THEN 'boolean' WHEN 'object' THEN CASE WHEN ${dateMillis()} IS NULL THEN 'object' ELSE 'date' END WHEN 'array' THEN 'list' ELSE 'null' END`;
}

/** JSON types of each class, for `json_each` rows, whose type is not mapped. */
export const TYPES_OF_CLASS = {
  string: `('text')`,
  number: `('integer', 'real')`,
  boolean: `('true', 'false')`,
  date: `('object')`,
  object: `('object')`,
} as const;

export type ItemClass = keyof typeof TYPES_OF_CLASS;
export type ScalarClass = Exclude<ItemClass, 'object'>;
/** SQL built on demand, so its parameters are bound where it is written. */
export type Expr = () => string;
export type ValueClass = ItemClass | 'list';

/** The class of the values each kind of meta column holds. */
export const CLASS_OF_COLUMN: Readonly<Record<ColumnKind, ScalarClass>> = {
  text: 'string',
  nullableText: 'string',
  count: 'number',
  boolean: 'boolean',
  time: 'date',
};

export const COMPARISON = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Collects bound parameters in the order their `?` appear in the SQL being built. */
export class Params {
  readonly values: BindValue[] = [];

  bind(value: BindValue): string {
    this.values.push(value);
    return '?';
  }
}

/** The class of a condition value. */
export function classOf(value: Exclude<IndexedItem, null>): ItemClass {
  if (value instanceof Date) return 'date';
  if (isObjectItem(value)) return 'object';
  return typeof value as ScalarClass;
}

/** SQL of the stored value `v` in the form a value like `like` is compared with. */
export function comparable(v: string, like: IndexedScalar): string {
  return like instanceof Date ? dateMillisSql(v) : v;
}

/** A condition value as bound: Dates as epoch milliseconds, booleans as 1/0 (as JSON reads them). */
export function bindable(value: Exclude<IndexedScalar, null>): BindValue {
  return value instanceof Date ? value.getTime() : value;
}

/** A meta field's condition value as its column holds it. */
export function columnValue(value: Exclude<IndexedScalar, null>): BindValue {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

export function numberOrText(value: BindValue): string {
  return typeof value === 'number' ? numberJson(value) : JSON.stringify(value);
}

export function numbersJson(values: number[]): string {
  return `[${values.map(numberJson).join(',')}]`;
}

/**
 * `subject IN list` (NOT IN with `negate`), `list` a JSON array bound as one parameter.
 * SQL makes `NULL IN ()` FALSE, not UNKNOWN; `nullable` subjects are guarded so a NULL is
 * UNKNOWN whatever the list.
 */
export function inSql(
  subject: Expr,
  negate: boolean,
  list: string,
  nullable: boolean,
  params: Params,
): string {
  const guard = nullable ? `CASE WHEN ${subject()} IS NULL THEN NULL ELSE ` : '';
  const test = `${subject()} ${negate ? 'NOT ' : ''}IN (SELECT value FROM json_each(${params.bind(list)}))`;
  return nullable ? `(${guard}${test} END)` : `(${test})`;
}

/**
 * Whether the text `text` ends with `suffix`, comparing UTF-8 bytes. The bytes are compared as
 * hex text because SQLite's substr() of a zero-length BLOB is NULL, which would make
 * `'' endsWith ''` UNKNOWN instead of TRUE.
 */
export function endsWithSql(text: Expr, suffix: string, params: Params): string {
  const hex = `hex(${text()})`;
  const start = `length(hex(${text()})) - length(hex(${params.bind(suffix)})) + 1`;
  return `substr(${hex}, ${start}) = hex(${params.bind(suffix)})`;
}

import * as SQLite from '@journeyapps/wa-sqlite';
import { InvalidArgumentError } from '../errors.js';
import type { SqliteRuntime } from './sqlite-runtime.js';

/** The parts of the runtime that bind and read values. */
type ValueApi = Pick<SqliteRuntime, 'sqlite3' | 'module'>;

/**
 * A value SQLite gives back: INTEGER as `number`, or as `bigint` beyond
 * `Number.MAX_SAFE_INTEGER`; REAL as `number`; TEXT as `string`; BLOB as `Uint8Array`.
 */
export type SqlValue = number | bigint | string | Uint8Array | null;

/** A value that can be bound to a parameter: any {@link SqlValue}, or a boolean (stored as 1/0). */
export type BindValue = SqlValue | boolean;

/**
 * Statement parameters: an array for positional `?` parameters, or an object for named ones
 * (`:name`, `@name` or `$name`; the key may be given with or without its prefix).
 */
export type BindParams = readonly BindValue[] | { readonly [name: string]: BindValue };

/** A result row: column name → value. */
export type Row = Record<string, SqlValue>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Bind `params` to every parameter of `stmt`; each parameter must be given exactly. */
export function bindParams(
  api: ValueApi,
  stmt: number,
  params: BindParams | undefined,
  sql: string,
): void {
  const count = api.sqlite3.bind_parameter_count(stmt);
  if (params === undefined) {
    if (count > 0)
      throw new InvalidArgumentError(`${count} parameter(s) expected, none given, for: ${sql}`);
    return;
  }
  if (Array.isArray(params)) {
    if (params.length !== count) {
      throw new InvalidArgumentError(
        `${count} parameter(s) expected, ${params.length} given, for: ${sql}`,
      );
    }
    params.forEach((value: BindValue, i: number) =>
      bindValue(api, stmt, i + 1, value, `#${i + 1}`, sql),
    );
    return;
  }
  const named = params as { readonly [name: string]: BindValue };
  for (let i = 1; i <= count; i++) {
    const name = api.sqlite3.bind_parameter_name(stmt, i);
    if (!name) {
      throw new InvalidArgumentError(
        `parameter #${i} is positional, but an object was given, for: ${sql}`,
      );
    }
    const key = Object.hasOwn(named, name) ? name : name.slice(1);
    if (!Object.hasOwn(named, key))
      throw new InvalidArgumentError(`no value given for parameter ${name} of: ${sql}`);
    bindValue(api, stmt, i, named[key] as BindValue, name, sql);
  }
}

function bindValue(
  api: ValueApi,
  stmt: number,
  i: number,
  value: BindValue,
  label: string,
  sql: string,
): void {
  const { sqlite3 } = api;
  if (value === null) {
    sqlite3.bind_null(stmt, i);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && (value | 0) === value) sqlite3.bind_int(stmt, i, value);
    else if (Number.isSafeInteger(value)) sqlite3.bind_int64(stmt, i, BigInt(value));
    else sqlite3.bind_double(stmt, i, value);
  } else if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new InvalidArgumentError(
        `parameter ${label} (${value}) is outside SQLite's 64-bit integer range, in: ${sql}`,
      );
    }
    sqlite3.bind_int64(stmt, i, value);
  } else if (typeof value === 'string') {
    bindText(api.module, stmt, i, value);
  } else if (typeof value === 'boolean') {
    sqlite3.bind_int(stmt, i, value ? 1 : 0);
  } else if (value instanceof Uint8Array) {
    sqlite3.bind_blob(stmt, i, value);
  } else {
    throw new InvalidArgumentError(
      `parameter ${label} has unsupported type ${describeType(value)} (use number, bigint, string, Uint8Array, boolean or null), in: ${sql}`,
    );
  }
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Bind `text` with its byte length, so that a U+0000 inside it is kept. */
function bindText(module: SqliteRuntime['module'], stmt: number, i: number, text: string): void {
  const bytes = utf8Encoder.encode(text);
  // sqlite3_malloc(0) may return NULL, which SQLite would bind as NULL rather than ''.
  const address = module._sqlite3_malloc(Math.max(bytes.byteLength, 1));
  if (address === 0)
    throw new SQLite.SQLiteError('out of memory binding text', SQLite.SQLITE_NOMEM);
  module.HEAPU8.set(bytes, address);
  // SQLite owns the copy from here, and frees it even if the bind fails.
  const rc = module._sqlite3_bind_text(stmt, i, address, bytes.byteLength, module._getSqliteFree());
  if (rc !== SQLite.SQLITE_OK) throw new SQLite.SQLiteError('sqlite3_bind_text failed', rc);
}

/** Column `i` as text, read by its byte length (column_text would stop at a U+0000). */
function columnText(module: SqliteRuntime['module'], stmt: number, i: number): string {
  // column_text before column_bytes, as SQLite asks: the former may convert the value.
  const address = module._sqlite3_column_text(stmt, i);
  const length = module._sqlite3_column_bytes(stmt, i);
  return utf8Decoder.decode(module.HEAPU8.subarray(address, address + length));
}

function describeType(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') return value?.constructor?.name ?? 'object';
  return typeof value;
}

/** The current row of `stmt`, keyed by `columns` (a later column wins over an equal name). */
export function readRow(api: ValueApi, stmt: number, columns: readonly string[]): Row {
  const row: Row = {};
  columns.forEach((name, i) => {
    row[name] = readColumn(api, stmt, i);
  });
  return row;
}

function readColumn({ sqlite3, module }: ValueApi, stmt: number, i: number): SqlValue {
  switch (sqlite3.column_type(stmt, i)) {
    case SQLite.SQLITE_INTEGER:
      return int64Value(sqlite3.column_int64(stmt, i));
    case SQLite.SQLITE_FLOAT:
      return sqlite3.column_double(stmt, i);
    case SQLite.SQLITE_TEXT:
      return columnText(module, stmt, i);
    case SQLite.SQLITE_BLOB:
      // A copy: the view points into WebAssembly memory, which the next call may reuse.
      return sqlite3.column_blob(stmt, i).slice();
    default:
      return null;
  }
}

/** A 64-bit integer as a number when it is safe, as a bigint otherwise. */
export function int64Value(value: bigint): number | bigint {
  return value >= SAFE_MIN && value <= SAFE_MAX ? Number(value) : value;
}

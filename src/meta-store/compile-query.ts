import type { BindValue, Row } from '../db/index.js';
import {
  canonicalJson,
  dateMillisSql,
  isObjectItem,
  jsonPath,
  scalarJson,
  valueJson,
} from './json-text.js';
import type { Leaf, Node, ParsedQuery, SortKey } from './parse-query.js';
import { matchingTexts, type Pattern } from './regex.js';
import { META_COLUMNS } from './schema.js';
import {
  bindable,
  classOf,
  classSql,
  CLASS_OF_COLUMN,
  columnValue,
  comparable,
  COMPARISON,
  endsWithSql,
  inSql,
  numberOrText,
  numbersJson,
  Params,
  TYPES_OF_CLASS,
  type Expr,
  type ScalarClass,
  type ValueClass,
} from './sql-terms.js';
import type { IndexedScalar } from './types.js';

/**
 * Compiles a checked query to SQL over the rows aliased `m`. Values and field paths are always
 * bound parameters; the only text from outside is a declared hot field's expression, fixed
 * when the store opened.
 *
 * Each condition compiles to an expression that is exactly 1 (TRUE), 0 (FALSE) or NULL
 * (UNKNOWN), so SQLite's AND, OR and NOT give SQL's three-valued logic and WHERE keeps the
 * TRUE rows:
 * - a missing key or a null value is UNKNOWN for every operator but `exists`, `isNa` and
 *   `isNull` (null: TRUE; missing: UNKNOWN);
 * - a stored value of another type than the condition's value is FALSE (a string is not equal
 *   to, nor greater than, a number); comparisons compare numbers as numbers, strings by code
 *   point (SQLite's BINARY collation on UTF-8), booleans with false < true, Dates as instants;
 * - substring tests compare UTF-8 bytes, which for well-formed strings is the same as comparing
 *   characters and needs no LIKE escaping.
 */

/** What the compiler needs from the store. */
export interface CompileContext {
  /** Hot field path → its indexed expression. */
  hotFields: ReadonlyMap<string, string>;
  /** The rows queried, as a FROM item aliased `m`. */
  source: string;
  /** Run a read of the same snapshot as the query (for `regex`, which SQLite lacks). */
  query(sql: string, params: BindValue[]): Promise<Row[]>;
}

/** A compiled query: WHERE and ORDER BY, each with its parameters in order. */
export interface CompiledQuery {
  where: string;
  whereParams: BindValue[];
  orderBy: string;
  orderParams: BindValue[];
}

/** Compile `query` (its WHERE and ORDER BY; paging is the caller's). */
export async function compileQuery(
  query: ParsedQuery,
  context: CompileContext,
): Promise<CompiledQuery> {
  const where = new Params();
  const compiler = new Compiler(context);
  const parts: string[] = [];
  for (const node of query.where) parts.push(await compiler.node(node, where, true));
  const order = new Params();
  const orderBy = [
    ...query.sorts.flatMap((sort) => compiler.sort(sort, order)),
    'm.resource_id ASC',
  ];
  return {
    where: parts.length === 0 ? '1' : parts.join(' AND '),
    whereParams: where.values,
    orderBy: orderBy.join(', '),
    orderParams: order.values,
  };
}

class Compiler {
  constructor(private readonly context: CompileContext) {}

  /**
   * SQL of `node`. `positive` is true where only TRUE matters (outside any NOT): there a
   * condition on a hot field may add a conjunct that SQLite can answer from its index, implied
   * by the condition being TRUE (it may turn UNKNOWN into FALSE, which NOT would notice).
   */
  async node(node: Node, params: Params, positive: boolean): Promise<string> {
    switch (node.type) {
      case 'and':
      case 'or': {
        if (node.children.length === 0) return node.type === 'and' ? '1' : '0';
        const parts: string[] = [];
        for (const child of node.children) parts.push(await this.node(child, params, positive));
        return `(${parts.join(node.type === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not':
        return `(NOT ${await this.node(node.child, params, false)})`;
      case 'leaf':
        return node.target.kind === 'meta'
          ? this.metaLeaf(node, params)
          : this.dataLeaf(node, node.target.path, params, positive);
    }
  }

  /** ORDER BY terms of one sort key. */
  sort(sort: SortKey, params: Params): string[] {
    const direction = sort.descending ? 'DESC' : 'ASC';
    if (sort.target.kind === 'meta')
      return [`m.${META_COLUMNS[sort.target.field].column} ${direction}`];
    const path = sort.target.path;
    // Types first (null/missing, booleans, numbers, Dates, strings, lists, objects), then
    // values: lists by length, objects by their canonical JSON text.
    const rankType = this.type(path, params);
    const rankDate = dateMillisSql(this.value(path, params));
    const rank = `CASE ${rankType} WHEN 'true' THEN 1 WHEN 'false' THEN 1 WHEN 'integer' THEN 2 WHEN 'real' THEN 2 WHEN 'object' THEN CASE WHEN ${rankDate} IS NULL THEN 6 ELSE 3 END WHEN 'text' THEN 4 WHEN 'array' THEN 5 ELSE 0 END`;
    const type = this.type(path, params);
    const date = dateMillisSql(this.value(path, params));
    const object = this.value(path, params);
    const length = `json_array_length(m.indexed_data, ${this.path(path, params)})`;
    const value = `CASE ${type} WHEN 'object' THEN coalesce(${date}, ${object}) WHEN 'array' THEN ${length} ELSE ${this.value(path, params)} END`;
    return [`${rank} ${direction}`, `${value} ${direction}`];
  }

  private path(path: string, params: Params): string {
    return params.bind(jsonPath(path));
  }

  private type(path: string, params: Params): string {
    return `json_type(m.indexed_data, ${this.path(path, params)})`;
  }

  private value(path: string, params: Params): string {
    return `json_extract(m.indexed_data, ${this.path(path, params)})`;
  }

  private async dataLeaf(
    leaf: Leaf,
    path: string,
    params: Params,
    positive: boolean,
  ): Promise<string> {
    if (leaf.op === 'exists')
      return `(${this.type(path, params)} ${leaf.value ? 'IS NOT' : 'IS'} NULL)`;
    if (leaf.op === 'isNa') {
      return `(coalesce(${this.type(path, params)}, 'null') ${leaf.value ? '=' : '<>'} 'null')`;
    }
    // A missing key gives a NULL type, so the comparison is UNKNOWN there, as it must be.
    if (leaf.op === 'isNull')
      return `(${this.type(path, params)} ${leaf.value ? '=' : '<>'} 'null')`;
    const hint = positive ? this.hotHint(leaf, path, params) : undefined;
    const exact = leaf.len
      ? this.lengthLeaf(leaf, () => this.length(path, params), params)
      : await this.typedLeaf(leaf, path, params);
    return hint === undefined ? exact : `(${hint} AND ${exact})`;
  }

  /** The length of a string (in code points) or list; NULL for anything else or nothing. */
  private length(path: string, params: Params): string {
    const type = this.type(path, params);
    const text = this.value(path, params);
    return `CASE ${type} WHEN 'text' THEN length(${text}) WHEN 'array' THEN json_array_length(m.indexed_data, ${this.path(path, params)}) END`;
  }

  /**
   * A condition on the value's class: UNKNOWN for null or missing, the comparison where the
   * class is the condition value's, FALSE (TRUE for the negated operators) elsewhere.
   */
  private async typedLeaf(leaf: Leaf, path: string, params: Params): Promise<string> {
    // Parameters are bound in the order their SQL is written: the class test first, then each
    // branch, which reads the value only where it says so.
    const value: Expr = () => this.value(path, params);
    const storedClass = classSql(this.type(path, params), () => dateMillisSql(value()));
    const branches: string[] = [];
    const branch = (valueClass: ValueClass, sql: string): void => {
      branches.push(`WHEN '${valueClass}' THEN ${sql}`);
    };
    let otherwise = '0';
    switch (leaf.op) {
      case 'eq':
      case 'ne':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const operator = COMPARISON[leaf.op];
        if (leaf.op === 'ne') otherwise = '1';
        const wanted = leaf.value;
        if (Array.isArray(wanted)) {
          branch('list', `${value()} ${operator} json(${params.bind(valueJson(wanted))})`);
        } else if (isObjectItem(wanted)) {
          branch('object', `${value()} ${operator} json(${params.bind(canonicalJson(wanted))})`);
        } else {
          const scalar = wanted as Exclude<IndexedScalar, null>;
          branch(
            classOf(scalar),
            `${comparable(value(), scalar)} ${operator} ${params.bind(bindable(scalar))}`,
          );
        }
        break;
      }
      case 'in':
      case 'notIn': {
        const negate = leaf.op === 'notIn' ? 'NOT ' : '';
        if (negate) otherwise = '1';
        for (const valueClass of ['string', 'number', 'boolean', 'date'] as const) {
          const items = leaf.value.filter(
            (item): item is Exclude<IndexedScalar, null> => classOf(item) === valueClass,
          );
          const first = items[0];
          if (first === undefined) continue;
          const list = `[${items.map((item) => numberOrText(bindable(item))).join(',')}]`;
          branch(
            valueClass,
            `${negate}(${comparable(value(), first)} IN (SELECT value FROM json_each(${params.bind(list)})))`,
          );
        }
        const objects = leaf.value.filter(isObjectItem).map(canonicalJson);
        if (objects.length > 0) {
          branch(
            'object',
            `${negate}(${value()} IN (SELECT json(value) FROM json_each(${params.bind(JSON.stringify(objects))})))`,
          );
        }
        break;
      }
      case 'contains': {
        const needle = leaf.value;
        const needleClass = classOf(needle);
        const element = needleClass === 'date' ? dateMillisSql('e.value') : 'e.value';
        const list = this.path(path, params);
        const wanted = isObjectItem(needle)
          ? `json(${params.bind(canonicalJson(needle))})`
          : params.bind(bindable(needle));
        branch(
          'list',
          `EXISTS (SELECT 1 FROM json_each(m.indexed_data, ${list}) AS e WHERE e.type IN ${TYPES_OF_CLASS[needleClass]} AND ${element} = ${wanted})`,
        );
        if (typeof needle === 'string') {
          branch(
            'string',
            `instr(CAST(${value()} AS BLOB), CAST(${params.bind(needle)} AS BLOB)) > 0`,
          );
        }
        break;
      }
      case 'startsWith':
        branch(
          'string',
          `instr(CAST(${value()} AS BLOB), CAST(${params.bind(leaf.value)} AS BLOB)) = 1`,
        );
        break;
      case 'endsWith':
        branch('string', endsWithSql(value, leaf.value, params));
        break;
      case 'regex': {
        const matches = await this.regexMatches(leaf.value, {
          value: `json_extract(m.indexed_data, ?)`,
          isText: `json_type(m.indexed_data, ?) = 'text'`,
          params: [jsonPath(path), jsonPath(path)],
        });
        branch('string', `${value()} IN (SELECT value FROM json_each(${params.bind(matches)}))`);
        break;
      }
      default:
        throw new Error(`unreachable: ${leaf.op}`);
    }
    return `(CASE ${storedClass} WHEN 'null' THEN NULL ${branches.join(' ')} ELSE ${otherwise} END)`;
  }

  /** A `len` condition on `length`, an expression that is NULL where there is no length. */
  private lengthLeaf(leaf: Leaf, length: Expr, params: Params): string {
    switch (leaf.op) {
      case 'eq':
      case 'ne':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return `(${length()} ${COMPARISON[leaf.op]} ${params.bind(leaf.value as number)})`;
      case 'in':
      case 'notIn':
        return inSql(
          length,
          leaf.op === 'notIn',
          numbersJson(leaf.value as number[]),
          true,
          params,
        );
      default:
        throw new Error(`unreachable: len with ${leaf.op}`);
    }
  }

  private async metaLeaf(leaf: Leaf, params: Params): Promise<string> {
    if (leaf.target.kind !== 'meta') throw new Error('unreachable: not a meta field');
    const { column, kind } = META_COLUMNS[leaf.target.field];
    const nullable = kind === 'nullableText';
    const c = `m.${column}`;
    const subject: Expr = () => (leaf.len ? `length(${c})` : c);
    const subjectClass: ScalarClass = leaf.len ? 'number' : CLASS_OF_COLUMN[kind];
    // A value of another class: the test's answer for every present value (UNKNOWN for null).
    const otherClass = (answer: '0' | '1'): string =>
      nullable ? `(CASE WHEN ${c} IS NULL THEN NULL ELSE ${answer} END)` : answer;
    switch (leaf.op) {
      case 'exists':
        return leaf.value ? '1' : '0';
      case 'isNa':
      case 'isNull':
        if (!nullable) return leaf.value ? '0' : '1';
        return `(${c} IS ${leaf.value ? '' : 'NOT '}NULL)`;
      case 'eq':
      case 'ne':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const value = leaf.value;
        if (Array.isArray(value) || classOf(value) !== subjectClass) {
          return otherClass(leaf.op === 'ne' ? '1' : '0');
        }
        const scalar = value as Exclude<IndexedScalar, null>;
        return `(${subject()} ${COMPARISON[leaf.op]} ${params.bind(columnValue(scalar))})`;
      }
      case 'in':
      case 'notIn': {
        // Items of another class are never equal, so they drop out.
        const items = leaf.value.filter(
          (item): item is Exclude<IndexedScalar, null> => classOf(item) === subjectClass,
        );
        const list = `[${items.map((item) => numberOrText(columnValue(item))).join(',')}]`;
        return inSql(subject, leaf.op === 'notIn', list, nullable || leaf.len, params);
      }
      case 'contains':
        if (typeof leaf.value !== 'string') return otherClass('0');
        return `(instr(CAST(${c} AS BLOB), CAST(${params.bind(leaf.value)} AS BLOB)) > 0)`;
      case 'startsWith':
        return `(instr(CAST(${c} AS BLOB), CAST(${params.bind(leaf.value)} AS BLOB)) = 1)`;
      case 'endsWith': {
        // hex(NULL) is '', so a NULL column must be kept UNKNOWN here.
        const test = endsWithSql(() => c, leaf.value, params);
        return nullable ? `(CASE WHEN ${c} IS NULL THEN NULL ELSE ${test} END)` : `(${test})`;
      }
      case 'regex': {
        const matches = await this.regexMatches(leaf.value, {
          value: c,
          isText: `${c} IS NOT NULL`,
          params: [],
        });
        return inSql(subject, false, matches, nullable, params);
      }
    }
  }

  /**
   * SQLite has no regular expressions (and the connection API registers no functions): the
   * distinct strings the field holds in the rows queried are tested here, and the condition
   * becomes membership in those that match. The store runs this read and the query in one
   * snapshot, so the set is exact.
   */
  private async regexMatches(
    pattern: Pattern,
    field: { value: string; isText: string; params: BindValue[] },
  ): Promise<string> {
    const rows = await this.context.query(
      `SELECT DISTINCT ${field.value} AS v FROM ${this.context.source} WHERE ${field.isText}`,
      field.params,
    );
    return JSON.stringify(
      await matchingTexts(
        pattern,
        rows.map((row) => row.v as string),
      ),
    );
  }

  /** An index-answerable conjunct implied by `leaf` being TRUE, for a hot field. */
  private hotHint(leaf: Leaf, path: string, params: Params): string | undefined {
    const expression = this.context.hotFields.get(path);
    if (expression === undefined || leaf.len) return undefined;
    switch (leaf.op) {
      case 'eq':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if (Array.isArray(leaf.value) || isObjectItem(leaf.value) || leaf.value instanceof Date)
          return undefined;
        return `${expression} ${COMPARISON[leaf.op]} ${params.bind(bindable(leaf.value as Exclude<IndexedScalar, null | Date>))}`;
      case 'in': {
        const items = leaf.value;
        if (items.some((item) => item instanceof Date || isObjectItem(item))) return undefined;
        const scalars = items as Exclude<IndexedScalar, null>[];
        return `${expression} IN (SELECT value FROM json_each(${params.bind(`[${scalars.map((item) => scalarJson(item)).join(',')}]`)}))`;
      }
      default:
        return undefined;
    }
  }
}

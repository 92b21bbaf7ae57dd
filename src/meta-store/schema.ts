import { digestHex } from '../platform/host.js';
import type { BindValue, Database } from '../db/index.js';
import { InvalidArgumentError } from '../errors.js';
import { indexedJson, jsonPath } from './json-text.js';
import type { MetaField, ResourceMeta } from './types.js';
import { checkFieldPath } from './values.js';

/**
 * The table: one row per resource, a real column per meta field, the indexed data as JSON
 * text, and the whole record encoded in `data`. It is WITHOUT ROWID, so a lookup by
 * `resource_id` walks one B-tree, not an index and then the table.
 */

/** How a meta field's column holds it, which decides the condition values it accepts. */
export type ColumnKind = 'text' | 'nullableText' | 'count' | 'boolean' | 'time';

/** A meta field's column. */
export interface MetaColumn {
  column: string;
  kind: ColumnKind;
}

/** The column of every meta field. */
export const META_COLUMNS: Readonly<Record<MetaField, MetaColumn>> = {
  resourceId: { column: 'resource_id', kind: 'text' },
  currentRevisionId: { column: 'current_revision_id', kind: 'text' },
  totalRevisionCount: { column: 'total_revision_count', kind: 'count' },
  createdTime: { column: 'created_time', kind: 'time' },
  updatedTime: { column: 'updated_time', kind: 'time' },
  createdBy: { column: 'created_by', kind: 'text' },
  updatedBy: { column: 'updated_by', kind: 'text' },
  isDeleted: { column: 'is_deleted', kind: 'boolean' },
  schemaVersion: { column: 'schema_version', kind: 'nullableText' },
};

/** Whether `field` names a meta field. */
export function isMetaField(field: string): field is MetaField {
  return Object.hasOwn(META_COLUMNS, field);
}

/** Each meta field by its AutoCRUD (snake_case) name, which is its column's name. */
const META_FIELD_OF_COLUMN: ReadonlyMap<string, MetaField> = new Map(
  Object.entries(META_COLUMNS).map(([field, { column }]) => [column, field as MetaField]),
);

/** The meta field `name` spells in snake_case (`created_by` → `createdBy`), if any. */
export function metaFieldOfSnakeCase(name: string): MetaField | undefined {
  return META_FIELD_OF_COLUMN.get(name);
}

/** Every column of a row, in the order {@link rowValues} gives them. */
export const COLUMNS = [
  'resource_id',
  'current_revision_id',
  'total_revision_count',
  'created_time',
  'updated_time',
  'created_by',
  'updated_by',
  'is_deleted',
  'schema_version',
  'indexed_data',
  'data',
] as const;

/** The columns with an index of their own (besides the primary key), as AutoCRUD has them. */
const INDEXED_COLUMNS = ['created_time', 'updated_time', 'created_by', 'updated_by', 'is_deleted'];

/** The values of a row for `meta`, in {@link COLUMNS} order; `data` is its encoded record. */
export function rowValues(meta: ResourceMeta, data: Uint8Array): BindValue[] {
  return [
    meta.resourceId,
    meta.currentRevisionId,
    meta.totalRevisionCount,
    meta.createdTime.getTime(),
    meta.updatedTime.getTime(),
    meta.createdBy,
    meta.updatedBy,
    meta.isDeleted ? 1 : 0,
    meta.schemaVersion,
    indexedJson(meta.indexedData),
    data,
  ];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A SQL string literal holding `text` (which has no U+0000). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The SQL names of one store's table and indexes. Only names checked here and the paths of
 * declared hot fields (rendered once, as escaped literals, because an expression index is only
 * used by a query that repeats its expression) are ever written into SQL; everything else is
 * bound.
 */
export class Schema {
  /** The table, quoted. */
  readonly table: string;
  /** Hot field path → the SQL of its indexed expression. */
  readonly hotFields: ReadonlyMap<string, string>;
  private readonly indexes: ReadonlyArray<{ name: string; sql: string }>;

  constructor(
    readonly tableName: string,
    hotFields: readonly string[],
  ) {
    if (!NAME.test(tableName) || tableName.toLowerCase().startsWith('sqlite_')) {
      throw new InvalidArgumentError(
        `table name "${tableName}" must be letters, digits and _, not starting with a digit or sqlite_`,
      );
    }
    this.table = `"${tableName}"`;
    const hot = new Map<string, string>();
    for (const [i, field] of hotFields.entries()) {
      checkFieldPath(field, `indexedFields[${i}]`);
      hot.set(field, `json_extract(indexed_data, ${sqlString(jsonPath(field))})`);
    }
    this.hotFields = hot;
    this.indexes = [
      ...INDEXED_COLUMNS.map((column) => ({
        name: `${tableName}_${column}`,
        sql: `CREATE INDEX IF NOT EXISTS "${tableName}_${column}" ON ${this.table}(${column})`,
      })),
      ...[...hot].map(([field, expression]) => {
        // A digest keeps the name a plain identifier whatever the path holds.
        const digest = digestHex('sha256', field).slice(0, 16);
        const name = `${tableName}_data_${digest}`;
        return {
          name,
          sql: `CREATE INDEX IF NOT EXISTS "${name}" ON ${this.table}(${expression})`,
        };
      }),
    ];
  }

  /**
   * Create the table and any missing index, in one commit, unless all are there (then this
   * only reads). A table of that name with other columns is refused.
   */
  async ensure(db: Database): Promise<void> {
    const existing = new Set(
      (
        await db.query<{ name: string }>('SELECT name FROM sqlite_schema WHERE tbl_name = ?', [
          this.tableName,
        ])
      ).map((row) => row.name),
    );
    if (existing.has(this.tableName)) await this.checkColumns(db);
    const missing = this.indexes.filter((index) => !existing.has(index.name));
    if (existing.has(this.tableName) && missing.length === 0) return;
    await db.transaction(async (tx) => {
      await tx.exec(this.createTableSql());
      for (const index of this.indexes) await tx.exec(index.sql);
    });
  }

  private async checkColumns(db: Database): Promise<void> {
    const columns = await db.query<{ name: string }>('SELECT name FROM pragma_table_info(?)', [
      this.tableName,
    ]);
    const names = columns.map((column) => column.name).join(',');
    if (names !== COLUMNS.join(',')) {
      throw new InvalidArgumentError(
        `table ${this.table} exists with other columns (${names}) than a metadata store's`,
      );
    }
  }

  private createTableSql(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.table} (
      resource_id TEXT PRIMARY KEY NOT NULL,
      current_revision_id TEXT NOT NULL,
      total_revision_count INTEGER NOT NULL,
      created_time INTEGER NOT NULL,
      updated_time INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      is_deleted INTEGER NOT NULL,
      schema_version TEXT,
      indexed_data TEXT NOT NULL,
      data BLOB NOT NULL
    ) WITHOUT ROWID`;
  }
}

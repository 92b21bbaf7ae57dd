/**
 * The public types of the metadata store: the record it keeps, the queries it answers and its
 * options.
 *
 * @packageDocumentation
 */

import type { Database, OpenOptions } from '../db/index.js';
import type { StoreLocation } from '../store/url.js';

/** A value an indexed field may hold in a list: a string, a finite number, a boolean, null or a Date. */
export type IndexedScalar = string | number | boolean | null | Date;

/** A JSON value, as an indexed object holds. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * An object an indexed field may hold (AutoCRUD indexes dict fields): plain JSON data, stored
 * as canonical JSON (keys sorted), so `eq`, `ne` and `in` compare it structurally. A top-level
 * key `$date` is reserved (a Date is stored as `{"$date": ms}`).
 */
export type IndexedObject = { readonly [key: string]: JsonValue };

/** One item of an indexed list: a scalar or an object. */
export type IndexedItem = IndexedScalar | IndexedObject;

/** The value of one indexed field: a scalar, an object, or a list of those. */
export type IndexedValue = IndexedItem | readonly IndexedItem[];

/**
 * Indexed values keyed by field path. A path is one literal key: `user.email` names the key
 * `"user.email"`, not a nested object.
 */
export type IndexedData = { readonly [path: string]: IndexedValue };

/** The metadata of one versioned resource, as the store returns it. */
export interface ResourceMeta {
  /** The primary key. */
  resourceId: string;
  currentRevisionId: string;
  totalRevisionCount: number;
  createdTime: Date;
  updatedTime: Date;
  createdBy: string;
  updatedBy: string;
  /** The soft-delete flag. */
  isDeleted: boolean;
  schemaVersion: string | null;
  indexedData: IndexedData;
}

/**
 * What {@link MetaStore.set} accepts: a {@link ResourceMeta} whose `isDeleted` (default
 * false), `schemaVersion` (default null) and `indexedData` (default empty) may be left out, as
 * records written before those fields existed leave them out.
 */
export type ResourceMetaInit = Omit<ResourceMeta, 'isDeleted' | 'schemaVersion' | 'indexedData'> &
  Partial<Pick<ResourceMeta, 'isDeleted' | 'schemaVersion' | 'indexedData'>>;

/** The fields of {@link ResourceMeta} stored in columns of their own. */
export type MetaField = Exclude<keyof ResourceMeta, 'indexedData'>;

/** The operators of a {@link Condition}. */
export type Operator =
  | 'eq'
  | 'ne'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'in'
  | 'notIn'
  | 'isNull'
  | 'exists'
  | 'isNa'
  | 'regex';

/** Applied to the field's value before the operator: `len` is the length of a string or list. */
export type Transform = 'len';

/**
 * One test of one field. `field` is a {@link MetaField} name or an indexed-data path. What
 * `value` must be depends on `op`: a scalar or a list for `eq`/`ne`, a scalar for the
 * comparisons and `contains`, a list of scalars for `in`/`notIn`, a string for
 * `startsWith`/`endsWith`, a pattern string or RegExp for `regex`, and a boolean (default
 * true) for `isNull`/`exists`/`isNa`.
 */
export interface Condition {
  field: string;
  op: Operator;
  value?: IndexedValue | RegExp;
  transform?: Transform;
}

/** All children hold. An empty `and` holds. */
export interface AndGroup {
  and: readonly Filter[];
}

/** Some child holds. An empty `or` does not hold. */
export interface OrGroup {
  or: readonly Filter[];
}

/** NOT of the AND of the children. */
export interface NotGroup {
  not: readonly Filter[];
}

/** A condition or a group of them. */
export type Filter = Condition | AndGroup | OrGroup | NotGroup;

/** One sort key: a meta field or an indexed-data path. */
export interface Sort {
  field: string;
  /** Default `'asc'`. */
  direction?: 'asc' | 'desc';
}

/** What {@link MetaStore.search} and {@link MetaStore.count} select. Every part is optional. */
export interface SearchQuery {
  isDeleted?: boolean;
  /** Created at or after this instant. */
  createdTimeStart?: Date;
  /** Created at or before this instant. */
  createdTimeEnd?: Date;
  updatedTimeStart?: Date;
  updatedTimeEnd?: Date;
  /** Created by one of these users. */
  createdBys?: readonly string[];
  updatedBys?: readonly string[];
  /** Filters that must all hold. */
  conditions?: readonly Filter[];
  /**
   * The older form of `conditions` (AutoCRUD's `data_conditions`): every field names an
   * indexed-data path, even one spelled like a meta field. Must all hold too.
   */
  dataConditions?: readonly Filter[];
  /** Sort keys, most significant first; `resourceId` ascending always breaks ties. */
  sorts?: readonly Sort[];
  /** Most records returned (default 10; `Infinity` for all). `count()` ignores it. */
  limit?: number;
  /** Records skipped first (default 0). `count()` ignores it. */
  offset?: number;
}

/** How each record is encoded in its row. */
export type Encoding = 'json' | 'msgpack';

/** Where a store keeps its table: a URL, a store and a prefix, or an open database. */
export type MetaStoreLocation = string | StoreLocation | Database;

/** Options of {@link MetaStore.open}. */
export interface MetaStoreOptions {
  /** The table's name (default `resource_meta`): letters, digits and `_`. */
  table?: string;
  /**
   * How records are written (default `'json'`). Rows of either encoding are read whatever
   * this says, so it may change between runs.
   */
  encoding?: Encoding;
  /**
   * Commit writes without being asked (default true). False: writes stay buffered until
   * {@link MetaStore.sync} or {@link MetaStore.close}.
   */
  autoSync?: boolean;
  /**
   * With `autoSync`, milliseconds during which writes are grouped into one commit, made by a
   * timer (or by the first write past the interval, if the timer could not run). 0 (the
   * default): every write is its own commit.
   */
  syncInterval?: number;
  /**
   * How stale a read may be, in milliseconds (default 1000): reads within this time of the
   * last check of the head reuse its snapshot at no request; 0 checks at every read. Only a
   * store that opened its own connection can hold snapshots; on a caller's database every
   * read checks, and a non-zero value is refused.
   */
  readCheckInterval?: number;
  /**
   * What a sync does when another instance committed after this one's buffered writes began:
   * `'retry'` (the default) re-applies them on the new head; `'error'` raises
   * {@link SyncConflictError} and keeps them buffered.
   */
  onConflict?: 'retry' | 'error';
  /** Indexed-data paths queried often: each gets an expression index. */
  indexedFields?: readonly string[];
  /** Told of each failure of a timer-driven sync (the writes stay buffered). */
  onSyncError?: (error: Error) => void;
  /** Options of the connection, when the store opens one (not for a caller's database). */
  openOptions?: OpenOptions;
}

/** Options of {@link MetaStore.sync}. */
export interface SyncOptions {
  /** Overrides the store's `onConflict` for this sync. */
  onConflict?: 'retry' | 'error';
}

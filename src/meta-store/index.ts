/**
 * The metadata store: versioned-resource metadata in one table of an s3lite database, with a
 * Map-like API and searches compiled to SQL.
 *
 * @packageDocumentation
 */
export { MetaStore } from './store.js';
export { SyncConflictError } from './errors.js';
export { fromAutoCrudQuery } from './autocrud.js';
export type {
  AndGroup,
  Condition,
  Encoding,
  Filter,
  IndexedData,
  IndexedItem,
  IndexedObject,
  IndexedScalar,
  IndexedValue,
  JsonValue,
  MetaField,
  MetaStoreLocation,
  MetaStoreOptions,
  NotGroup,
  Operator,
  OrGroup,
  ResourceMeta,
  ResourceMetaInit,
  SearchQuery,
  Sort,
  SyncOptions,
  Transform,
} from './types.js';

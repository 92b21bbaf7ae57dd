import * as staging from '../serialize/import.js';
import type { ImportSource } from '../serialize/import.js';
import type { TransferSummary } from '../serialize/index.js';
import type { ObjectStore } from '../store/types.js';
import type { StoreLocation } from '../store/url.js';
import { quickCheck } from './verify-import.js';

/** Options of {@link importDatabase} and its variants. */
export interface ImportOptions extends Omit<staging.ImportOptions, 'verify'> {
  /**
   * Check the staged database with SQLite's `PRAGMA quick_check` before it becomes visible
   * (default true): a file with garbage pages, a B-tree loop or a freelist loop is refused with
   * `IMPORT_VERIFY_FAILED`, and nothing is committed. The check reads every page back once
   * (GETs for the pages already uploaded); `false` skips it for a trusted multi-GB file.
   */
  verify?: boolean;
}

/**
 * Import a regular SQLite database file into `target` as one commit: header and length are
 * checked, then every page is staged, then (unless `verify: false`) SQLite checks the staged
 * structure, and only then is the commit record created. A failed or interrupted import leaves
 * no visible database. See the serialize layer's `importDatabase` for the details.
 */
export function importDatabase(
  source: ImportSource,
  target: string | StoreLocation,
  options: ImportOptions = {},
): Promise<TransferSummary> {
  return staging.importDatabase(source, target, withCheck(options));
}

/** Import a local file (its size feeds the progress reports); verified as {@link importDatabase}. */
export function importFromFile(
  path: string,
  target: string | StoreLocation,
  options: ImportOptions = {},
): Promise<TransferSummary> {
  return staging.importFromFile(path, target, withCheck(options));
}

/** Import the database file stored as one object (streamed); verified as {@link importDatabase}. */
export function importFromObject(
  source: { store: ObjectStore; key: string },
  target: string | StoreLocation,
  options: ImportOptions = {},
): Promise<TransferSummary> {
  return staging.importFromObject(source, target, withCheck(options));
}

function withCheck({ verify = true, ...options }: ImportOptions): staging.ImportOptions {
  return verify ? { ...options, verify: quickCheck } : options;
}

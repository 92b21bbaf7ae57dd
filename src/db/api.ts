/** The database API of every runtime (db/index.ts adds file import, which needs Node). */
export {
  open,
  Database,
  type OpenOptions,
  type TransactionOptions,
  type DatabaseStats,
} from './database.js';
export { Statement } from './statement.js';
export type { RunResult, StatementResult } from './connection.js';
export type { SqlValue, BindValue, BindParams, Row } from './values.js';
export { gc, commitLog, type GcCallOptions, type CommitLogOptions } from './maintenance.js';
export type { GcOptions, GcReport } from '../volume/gc.js';
export type { RetentionOptions } from '../volume/retention.js';
export { openPool, DatabasePool, DEFAULT_POOL_READERS, type PoolOptions } from './pool.js';
export { configureEngines, DEFAULT_MAX_ENGINES } from './engine-pool.js';

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

export {
  exportDatabase,
  exportToFile,
  exportToObject,
  exportToReadable,
  exportToWebStream,
  exportToWritable,
  type DatabaseExport,
  type ExportOptions,
} from './export.js';
// The import functions are public through src/db, which adds SQLite's structure check.
export type { ImportSource } from './import.js';
export type { Progress, ProgressListener, TransferSummary } from './progress.js';

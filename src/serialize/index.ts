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
export {
  importDatabase,
  importFromFile,
  importFromObject,
  type ImportOptions,
  type ImportSource,
} from './import.js';
export type { Progress, ProgressListener, TransferSummary } from './progress.js';

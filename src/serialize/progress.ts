/**
 * How far an import or export has come, reported page by page: for an import, the pages
 * stored (or skipped, as zeros into an empty target), not those read into its write buffer;
 * for an export, the pages handed on.
 */
export interface Progress {
  bytesDone: number;
  /** Undefined when the size of the input is not known in advance (a pipe). */
  bytesTotal: number | undefined;
  pagesDone: number;
  pagesTotal: number | undefined;
}

export type ProgressListener = (progress: Progress) => void;

/** What an import or export did, and what it cost. */
export interface TransferSummary {
  bytes: number;
  pages: number;
  /** Requests sent to the store holding the database, by kind. */
  requests: Record<string, number>;
  seconds: number;
  /** The commit imported, or the commit exported. */
  commit: number;
}

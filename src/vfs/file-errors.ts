import * as SQLite from '@journeyapps/wa-sqlite';
import { resultCodeFor } from './result-codes.js';

/**
 * Keeps the first JavaScript error behind a failed file operation (see `MainFile.lastError`)
 * and turns errors into SQLite result codes, for the files of every layout but s3lite's own.
 */
export class FileErrors {
  private error: unknown;

  get lastError(): unknown {
    return this.error;
  }

  clearError(): void {
    this.error = undefined;
  }

  /** Record `error`; answers its result code, `ioerr` when it has no meaning of its own. */
  fail(error: unknown, ioerr: number): number {
    this.error ??= error;
    return resultCodeFor(error, ioerr);
  }

  /** Run `operation`, answering `SQLITE_OK`, or the result code of its error. */
  async run(ioerr: number, operation: () => Promise<unknown>): Promise<number> {
    try {
      await operation();
      return SQLite.SQLITE_OK;
    } catch (error) {
      return this.fail(error, ioerr);
    }
  }

  /** Read into `into` with `read`: zeros and `SQLITE_IOERR_SHORT_READ` past the end of file. */
  async read(into: Uint8Array, read: (length: number) => Promise<Uint8Array>): Promise<number> {
    try {
      const bytes = await read(into.byteLength);
      into.set(bytes);
      if (bytes.byteLength === into.byteLength) return SQLite.SQLITE_OK;
      into.fill(0, bytes.byteLength);
      return SQLite.SQLITE_IOERR_SHORT_READ;
    } catch (error) {
      return this.fail(error, SQLite.SQLITE_IOERR_READ);
    }
  }
}

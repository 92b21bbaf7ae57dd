import * as SQLite from '@journeyapps/wa-sqlite';
import { ReadOnlyError } from '../errors.js';
import { FileErrors } from './file-errors.js';
import type { MainFile } from './main-file.js';

/** Bytes of a database that someone else holds and keeps still while SQLite reads them. */
export interface ByteView {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/**
 * A read-only main file over a {@link ByteView}: an import's staged pages, which a volume's
 * open write transaction reads back before they become visible. Locks take nothing (the
 * holder of the view owns the transaction; a subclass may do more); any write is refused with
 * `refusal` as the message of its `ReadOnlyError`.
 */
export class ViewFile implements MainFile {
  isOpen = false;
  readonly deviceCharacteristics = 0;
  protected readonly errors = new FileErrors();

  constructor(
    private readonly view: ByteView,
    private readonly refusal: string,
  ) {}

  get lastError(): unknown {
    return this.errors.lastError;
  }

  clearError(): void {
    this.errors.clearError();
  }

  get size(): number {
    return this.view.size;
  }

  read(into: Uint8Array, offset: number): Promise<number> {
    return this.errors.read(into, (length) => this.view.read(offset, length));
  }

  async write(): Promise<number> {
    return this.errors.fail(this.readOnly(), SQLite.SQLITE_READONLY);
  }

  async truncate(): Promise<number> {
    return this.errors.fail(this.readOnly(), SQLite.SQLITE_READONLY);
  }

  async sync(): Promise<number> {
    return SQLite.SQLITE_OK;
  }

  async lock(_level: number): Promise<number> {
    return SQLite.SQLITE_OK;
  }

  async unlock(_level: number): Promise<number> {
    return SQLite.SQLITE_OK;
  }

  reservedByOther(): boolean {
    return false;
  }

  async fileControl(): Promise<number> {
    return SQLite.SQLITE_NOTFOUND;
  }

  refusePragma(): undefined {
    return undefined;
  }

  protected readOnly(): ReadOnlyError {
    return new ReadOnlyError(this.refusal);
  }
}

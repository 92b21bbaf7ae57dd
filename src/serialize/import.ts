import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DatabaseExistsError, InvalidArgumentError, NotADatabaseError } from '../errors.js';
import type { ObjectStore } from '../store/types.js';
import type { S3UrlOptions, StoreLocation } from '../store/url.js';
import { fixedSizePieces } from '../bytes.js';
import { peek } from './page-chunks.js';
import { openForTransfer } from './open-volume.js';
import type { ProgressListener, TransferSummary } from './progress.js';
import { HEADER_BYTES, toRollbackMode } from '../format/sqlite-header.js';
import { parseHeader } from './sqlite-header.js';

/** Anything that yields the bytes of a database file. */
export type ImportSource =
  Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | NodeJS.ReadableStream;

export interface ImportOptions {
  /** Replace a database already at the target (one new commit; pinned readers undisturbed). */
  overwrite?: boolean;
  /** Bytes of pages buffered before they are uploaded in parallel (default 16 MiB). */
  bufferBytes?: number;
  onProgress?: ProgressListener;
  /** Endpoint, region, credentials… for `s3://` locations. */
  s3?: S3UrlOptions;
  /** Accept a store that ignores conditional writes (see `open()`'s `singleWriter`). */
  singleWriter?: boolean;
  signal?: AbortSignal;
  /** Size of the input in bytes, when known, for progress reports. */
  size?: number;
  /** Names the input in error messages (default "the input"). */
  name?: string;
  /**
   * Called once every page is staged and before the commit record is created, with the staged
   * database (read back from the open write transaction: nothing is visible yet). A throw
   * aborts the import. The public API (from the db layer) runs SQLite's `quick_check` here.
   */
  verify?: StagedCheck;
}

/** The bytes an import staged, as its open write transaction reads them back. */
export interface StagedDatabase {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Checks an import's staged database; throws to refuse it. `name` names the input. */
export type StagedCheck = (staged: StagedDatabase, name: string) => Promise<void>;

const DEFAULT_BUFFER = 16 * 1024 * 1024;

/**
 * Import a regular SQLite database file into `target` as one commit. The header is checked
 * before anything is uploaded (magic, page size) and the length at the end (it must be the
 * header's page count × page size: a truncated or padded file is refused); only then is the
 * commit record created, so a failed or interrupted import leaves no visible database and its
 * uploaded pages are deleted (or, after a crash, left to GC). A WAL-mode file is stored in
 * rollback mode. Pages of zeros are not stored into an empty target: they read as zeros.
 * `verify`, when given, checks the staged database before the commit.
 */
export async function importDatabase(
  source: ImportSource,
  target: string | StoreLocation,
  options: ImportOptions = {},
): Promise<TransferSummary> {
  const started = performance.now();
  const name = options.name ?? 'the input';
  const bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER;
  if (!(bufferBytes >= 65536)) throw new InvalidArgumentError(`bufferBytes must be at least 65536`);
  // Progress counts pages stored, or skipped (zeros into an empty target): pages read only
  // wait in the write buffer, which the volume uploads 16 MiB at a time.
  let pageSize = 0;
  let pagesTotal: number | undefined;
  let pagesDone = 0;
  const pageDone = (): void => {
    pagesDone += 1;
    options.onProgress?.({
      bytesDone: pagesDone * pageSize,
      bytesTotal: options.size,
      pagesDone,
      pagesTotal,
    });
  };
  const transfer = await openForTransfer(
    target,
    options.s3,
    { writeBufferBytes: bufferBytes, singleWriter: options.singleWriter ?? false },
    options.onProgress && pageDone,
  );
  const { volume } = transfer;
  try {
    const existing = volume.snapshot.seq;
    if (existing > 0 && !options.overwrite) {
      throw new DatabaseExistsError(
        `${volume.prefix} in ${transfer.store.location} already holds a database (commit ${existing}); ` +
          `import with overwrite to replace it`,
      );
    }
    const { head, all } = await peek(chunksOf(source), HEADER_BYTES);
    const header = parseHeader(head, name);
    pageSize = header.pageSize;
    pagesTotal = header.pageCount;
    await volume.beginRead();
    await volume.beginWrite();
    let pages = 0;
    let bytes = 0;
    for await (const page of fixedSizePieces(all, header.pageSize)) {
      options.signal?.throwIfAborted();
      if (page.byteLength !== header.pageSize) {
        throw new NotADatabaseError(
          `${name} is truncated: it ends ${page.byteLength} bytes into page ${pages + 1} of ${header.pageSize} bytes`,
        );
      }
      pages += 1;
      bytes += page.byteLength;
      if (pages === 1 && header.wal) toRollbackMode(page);
      if (existing > 0 || !isZero(page)) await volume.write((pages - 1) * header.pageSize, page);
      else pageDone();
    }
    if (header.pageCount !== undefined && pages !== header.pageCount) {
      throw new NotADatabaseError(
        `${name} holds ${pages} pages but its header says ${header.pageCount}: ` +
          (pages < header.pageCount ? 'the file is truncated' : 'the file has bytes past its end'),
      );
    }
    await volume.setPageSize(header.pageSize);
    await volume.truncate(bytes);
    await options.verify?.(
      { size: bytes, read: (offset, length) => volume.read(offset, length) },
      name,
    );
    const commit = await volume.commit();
    return {
      bytes,
      pages,
      requests: transfer.requests(),
      seconds: (performance.now() - started) / 1000,
      commit: commit.seq,
    };
  } catch (error) {
    if (volume.inTransaction) await volume.rollback();
    throw error;
  } finally {
    await transfer.close();
  }
}

/** Import a local file (its size feeds the progress reports). */
export async function importFromFile(
  path: string,
  target: string | StoreLocation,
  options: ImportOptions = {},
): Promise<TransferSummary> {
  const { size } = await stat(path);
  return importDatabase(createReadStream(path), target, { size, name: path, ...options });
}

/** Import the database file stored as one object (streamed: it is never held in memory). */
export async function importFromObject(
  source: { store: ObjectStore; key: string },
  target: string | StoreLocation,
  options: ImportOptions = {},
): Promise<TransferSummary> {
  const { info, body } = await source.store.getStream(source.key, { signal: options.signal });
  return importDatabase(body, target, {
    size: info.size,
    name: `"${source.key}" in ${source.store.location}`,
    ...options,
  });
}

function isZero(page: Uint8Array): boolean {
  for (const byte of page) if (byte !== 0) return false;
  return true;
}

async function* chunksOf(source: ImportSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (typeof (source as ReadableStream).getReader === 'function') {
    yield* Readable.fromWeb(source as import('node:stream/web').ReadableStream<Uint8Array>);
    return;
  }
  yield* source as AsyncIterable<Uint8Array>;
}

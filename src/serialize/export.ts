import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import { checkSizeAgainstHeader } from '../format/sqlite-header.js';
import type { S3UrlOptions, StoreLocation } from '../store/url.js';
import type { ObjectStore } from '../store/types.js';
import { openForTransfer } from './open-volume.js';
import type { ProgressListener, TransferSummary } from './progress.js';

/** Options of every export. */
export interface ExportOptions {
  /**
   * Export the database as it was after this commit, or at this time: the newest commit made
   * by then (default: the newest).
   */
  at?: number | Date;
  /** Pages fetched in parallel (default 64): the memory used is about this many pages. */
  concurrency?: number;
  onProgress?: ProgressListener;
  /** Endpoint, region, credentials… for `s3://` locations. */
  s3?: S3UrlOptions;
  signal?: AbortSignal;
}

const DEFAULT_CONCURRENCY = 64;

/** An export in progress: its bytes, and once they are consumed, its summary. */
export interface DatabaseExport extends AsyncIterable<Uint8Array> {
  /** Resolves when every byte has been read from the export (rejects if it failed). */
  readonly summary: Promise<TransferSummary>;
}

/**
 * Stream a database as the regular SQLite file it stands for: every page in order (pages
 * never written, such as the lock-byte page at 1 GiB, as zeros), `pageCount × pageSize`
 * bytes. The commit is pinned when the export starts, so concurrent commits cannot tear it.
 * Pages are fetched `concurrency` at a time ahead of the reader and no further: memory stays
 * bounded and a slow consumer slows the fetching (back-pressure).
 */
export function exportDatabase(
  location: string | StoreLocation,
  options: ExportOptions = {},
): DatabaseExport {
  let settle!: { resolve: (s: TransferSummary) => void; reject: (e: unknown) => void };
  const summary = new Promise<TransferSummary>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The summary is for those who ask; an export read to its end without asking is fine.
  summary.catch(() => undefined);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new InvalidArgumentError(`concurrency must be a whole number ≥ 1, not ${concurrency}`);
  }

  async function* pages(): AsyncGenerator<Uint8Array> {
    const started = performance.now();
    const transfer = await openForTransfer(location, options.s3, {
      at: options.at,
      readOnly: true,
    });
    const ahead: Array<Promise<Uint8Array>> = [];
    try {
      const { pageSize, pageCount, seq } = transfer.volume.snapshot;
      if (seq === 0) {
        throw new NotFoundError(
          transfer.volume.prefix,
          `${transfer.store.location} (no database to export)`,
        );
      }
      const bytesTotal = pageSize * pageCount;
      let next = 1;
      for (let done = 0; done < pageCount;) {
        while (next <= pageCount && ahead.length < concurrency) {
          ahead.push(transfer.volume.read((next - 1) * pageSize, pageSize));
          next += 1;
        }
        options.signal?.throwIfAborted();
        const page = await (ahead.shift() as Promise<Uint8Array>);
        if (done === 0)
          checkSizeAgainstHeader(transfer.volume.prefix, seq, pageSize * pageCount, page);
        done += 1;
        yield page;
        options.onProgress?.({
          bytesDone: done * pageSize,
          bytesTotal,
          pagesDone: done,
          pagesTotal: pageCount,
        });
      }
      settle.resolve({
        bytes: bytesTotal,
        pages: pageCount,
        requests: transfer.requests(),
        seconds: (performance.now() - started) / 1000,
        commit: seq,
      });
    } catch (error) {
      settle.reject(error);
      throw error;
    } finally {
      // A consumer that stopped early leaves fetches running; their outcome no longer matters.
      for (const fetch of ahead) fetch.catch(() => undefined);
      await transfer.close();
    }
  }

  const iterable = pages();
  return { [Symbol.asyncIterator]: () => iterable, summary };
}

/** The export as a Node `Readable`. */
export function exportToReadable(
  location: string | StoreLocation,
  options: ExportOptions = {},
): Readable {
  return Readable.from(exportDatabase(location, options), { objectMode: false });
}

/** The export as a web `ReadableStream` of bytes. */
export function exportToWebStream(
  location: string | StoreLocation,
  options: ExportOptions = {},
): ReadableStream<Uint8Array> {
  return Readable.toWeb(exportToReadable(location, options)) as ReadableStream<Uint8Array>;
}

/**
 * Export to a local file. It is written under a temporary name and renamed when complete,
 * so the path holds the old file or the whole export, never a part.
 */
export async function exportToFile(
  location: string | StoreLocation,
  path: string,
  options: ExportOptions = {},
): Promise<TransferSummary> {
  const temp = `${path}.s3lite-${process.pid}-${Date.now()}.tmp`;
  const exported = exportDatabase(location, options);
  try {
    await pipeline(Readable.from(exported), createWriteStream(temp), { signal: options.signal });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return exported.summary;
}

/** Export to a writable stream such as `process.stdout` (left open afterwards). */
export async function exportToWritable(
  location: string | StoreLocation,
  destination: Writable,
  options: ExportOptions = {},
): Promise<TransferSummary> {
  const exported = exportDatabase(location, options);
  await pipeline(Readable.from(exported), destination, { end: false, signal: options.signal });
  return exported.summary;
}

/**
 * Export to a single object (a multipart upload on S3, so any size works); the object
 * appears whole when the export is complete, or not at all.
 */
export async function exportToObject(
  location: string | StoreLocation,
  target: { store: ObjectStore; key: string },
  options: ExportOptions = {},
): Promise<TransferSummary> {
  const exported = exportDatabase(location, options);
  await target.store.putStream(target.key, exported, { signal: options.signal });
  return exported.summary;
}

import { createHash, randomUUID } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, NotFoundError, PreconditionFailedError } from '../errors.js';
import { BaseStore, type BaseStoreOptions } from './base-store.js';
import { compareKeys } from './key-order.js';
import { resolveRange } from './range.js';
import type {
  GetOptions,
  GetResult,
  ListPage,
  ObjectInfo,
  PutOptions,
  PutResult,
  StreamGetOptions,
  StreamGetResult,
} from './types.js';

/**
 * Object files end in this character, which segment encoding never produces, so an object
 * `a/b` (file `a/b$`) and the objects under `a/b/` (directory `a/b`) never collide.
 */
const OBJECT_SUFFIX = '$';
/** Where files are written before being renamed or linked into place. */
const TEMP_DIR = '.tmp';
/** A lock older than this is taken to belong to a crashed process. */
const STALE_LOCK_MS = 30_000;

/**
 * Objects as files in a local directory, with the semantics of S3 and safe between processes
 * on one machine: every write goes to a temporary file that is renamed into place (readers see
 * the old or the new object, never a torn one); a create-only write links the temporary file
 * to its name, which fails atomically when the name exists. The ETag is derived from the
 * file's inode, size and modification time: every write makes a new inode, so it changes
 * whenever the content is replaced. Files are not fsynced: durability is the disk's.
 */
export class FileStore extends BaseStore {
  readonly location: string;
  /** The directory holding the objects (absolute). */
  readonly root: string;

  constructor(options: BaseStoreOptions & { root: string }) {
    super(options, { concurrency: 64 });
    if (!options.root) throw new InvalidArgumentError('FileStore needs a root directory');
    this.root = path.resolve(options.root);
    this.location = `directory ${this.root}`;
  }

  protected async doGet(key: string, options: GetOptions): Promise<GetResult> {
    const handle = await this.openObject(key);
    try {
      // Stat and read through one handle: a concurrent rename cannot pair one version's
      // ETag with another version's bytes.
      const stats = await handle.stat({ bigint: false });
      const etag = etagOf(stats);
      if (options.ifMatch !== undefined && options.ifMatch !== etag) {
        throw new PreconditionFailedError(key, `ETag is ${etag}, not ${options.ifMatch}`);
      }
      const [start, end] = options.range
        ? resolveRange(key, stats.size, options.range)
        : [0, stats.size];
      const body = new Uint8Array(end - start);
      let done = 0;
      while (done < body.byteLength) {
        const { bytesRead } = await handle.read(body, done, body.byteLength - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return { key, etag, size: stats.size, body };
    } finally {
      await handle.close();
    }
  }

  protected async doHead(key: string): Promise<ObjectInfo> {
    const stats = await fs.stat(this.fileOf(key)).catch((error: unknown) => {
      throw this.missingAsNotFound(key, error);
    });
    return { key, etag: etagOf(stats), size: stats.size };
  }

  protected async doGetStream(key: string, options: StreamGetOptions): Promise<StreamGetResult> {
    const handle = await this.openObject(key);
    try {
      const stats = await handle.stat();
      const etag = etagOf(stats);
      if (options.ifMatch !== undefined && options.ifMatch !== etag) {
        throw new PreconditionFailedError(key, `ETag is ${etag}, not ${options.ifMatch}`);
      }
      // The stream reads through the handle opened above and closes it when done.
      return { info: { key, etag, size: stats.size }, body: handle.createReadStream() };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  protected async doPut(key: string, body: Uint8Array, options: PutOptions): Promise<PutResult> {
    return this.place(key, await this.writeTemp(body), options);
  }

  protected async doPutStream(key: string, body: AsyncIterable<Uint8Array>): Promise<PutResult> {
    return this.place(key, await this.writeTemp(body), {});
  }

  /** Move a written temporary file to the key's name, as the put's conditions allow. */
  private async place(key: string, temp: string, options: PutOptions): Promise<PutResult> {
    const file = this.fileOf(key);
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      if (options.ifNoneMatch === '*') {
        await fs.link(temp, file).catch((error: unknown) => {
          if (errnoOf(error) === 'EEXIST') {
            throw new PreconditionFailedError(key, 'the key already exists');
          }
          throw error;
        });
      } else if (options.ifMatch !== undefined) {
        await this.replaceIfMatch(key, file, temp, options.ifMatch);
      } else {
        await fs.rename(temp, file);
      }
      return { etag: etagOf(await fs.stat(file)) };
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  protected async doDelete(key: string): Promise<void> {
    await fs.rm(this.fileOf(key), { force: true });
  }

  protected async doDeleteBatch(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.doDelete(key)));
  }

  protected async doList(
    prefix: string,
    startAfter: string | undefined,
    maxKeys: number,
  ): Promise<ListPage> {
    const objects: ObjectInfo[] = [];
    const cut = prefix.lastIndexOf('/') + 1;
    const dirKey = prefix.slice(0, cut);
    for await (const key of this.walk(this.dirOf(dirKey), dirKey, prefix, startAfter)) {
      if (objects.length === maxKeys) return { objects, truncated: true };
      const stats = await fs.stat(this.fileOf(key)).catch(() => undefined);
      if (stats) {
        objects.push({ key, etag: etagOf(stats), size: stats.size, lastModified: stats.mtime });
      }
    }
    return { objects, truncated: false };
  }

  /**
   * Keys under `dir` (whose keys start with `dirKey`) in S3 order, skipping whole
   * subdirectories that lie before `startAfter` or outside `prefix`. Sorting a directory's
   * entries by their key text, with `/` after a subdirectory's name, yields global key order.
   */
  private async *walk(
    dir: string,
    dirKey: string,
    prefix: string,
    startAfter: string | undefined,
  ): AsyncGenerator<string> {
    const names = await fs.readdir(dir).catch((error: unknown) => {
      if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return [] as string[];
      throw error;
    });
    const entries = names
      .filter((name) => !(dirKey === '' && name === TEMP_DIR))
      .map((name) =>
        name.endsWith(OBJECT_SUFFIX)
          ? { name, key: dirKey + decodeSegment(name.slice(0, -1)), isDir: false }
          : { name, key: `${dirKey}${decodeSegment(name)}/`, isDir: true },
      )
      .sort((a, b) => compareKeys(a.key, b.key));
    for (const entry of entries) {
      const inPrefix =
        entry.key.startsWith(prefix) || (entry.isDir && prefix.startsWith(entry.key));
      if (!inPrefix) continue;
      if (entry.isDir) {
        const skip =
          startAfter !== undefined &&
          !startAfter.startsWith(entry.key) &&
          compareKeys(startAfter, entry.key) > 0;
        if (!skip) yield* this.walk(path.join(dir, entry.name), entry.key, prefix, startAfter);
      } else if (startAfter === undefined || compareKeys(entry.key, startAfter) > 0) {
        yield entry.key;
      }
    }
  }

  private async replaceIfMatch(key: string, file: string, temp: string, ifMatch: string) {
    const lock = path.join(
      this.root,
      TEMP_DIR,
      `${createHash('sha1').update(key).digest('hex')}.lock`,
    );
    await acquireLock(lock);
    try {
      const stats = await fs.stat(file).catch((error: unknown) => {
        throw this.missingAsNotFound(key, error);
      });
      if (etagOf(stats) !== ifMatch) {
        throw new PreconditionFailedError(key, `ETag is ${etagOf(stats)}, not ${ifMatch}`);
      }
      await fs.rename(temp, file);
    } finally {
      await fs.rm(lock, { force: true });
    }
  }

  private async writeTemp(body: Uint8Array | AsyncIterable<Uint8Array>): Promise<string> {
    const dir = path.join(this.root, TEMP_DIR);
    await fs.mkdir(dir, { recursive: true });
    const temp = path.join(dir, randomUUID());
    await fs.writeFile(temp, body);
    return temp;
  }

  private async openObject(key: string) {
    return fs.open(this.fileOf(key), 'r').catch((error: unknown) => {
      throw this.missingAsNotFound(key, error);
    });
  }

  private missingAsNotFound(key: string, error: unknown): unknown {
    const code = errnoOf(error);
    return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR'
      ? new NotFoundError(key, this.location, { cause: error })
      : error;
  }

  private fileOf(key: string): string {
    const segments = key.split('/');
    const last = segments.pop() as string;
    return path.join(
      this.root,
      ...segments.map(encodeSegment),
      encodeSegment(last) + OBJECT_SUFFIX,
    );
  }

  private dirOf(dirKey: string): string {
    const segments = dirKey.split('/').slice(0, -1);
    return path.join(this.root, ...segments.map(encodeSegment));
  }
}

/**
 * A key segment as a file name: percent-encoded (never contains `/` or `$`), a leading dot
 * escaped (no `.`, `..` or hidden names), and the empty segment as a lone `%` (which
 * percent-encoding never produces).
 */
function encodeSegment(segment: string): string {
  if (segment === '') return '%';
  return encodeURIComponent(segment).replace(/^\./, '%2E');
}

function decodeSegment(name: string): string {
  return name === '%' ? '' : decodeURIComponent(name);
}

function etagOf(stats: Stats): string {
  return `${stats.ino.toString(16)}-${stats.size.toString(16)}-${Math.round(stats.mtimeMs * 1000).toString(16)}`;
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** A cross-process lock: whoever creates the lock file exclusively holds it. */
async function acquireLock(lock: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
      const stats = await fs.stat(lock).catch(() => undefined);
      if (stats && Date.now() - stats.mtimeMs > STALE_LOCK_MS) {
        await fs.rm(lock, { force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 1 + attempt)));
    }
  }
}

import { concatBytes } from '../bytes.js';
import { NotFoundError, PreconditionFailedError } from '../errors.js';
import { BaseStore, type BaseStoreOptions } from './base-store.js';
import { md5Etag } from './etag.js';
import { compareKeys, upperBound } from './key-order.js';
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

interface StoredObject {
  body: Uint8Array;
  etag: string;
  modified: Date;
}

/**
 * An object store in this process's memory, with the same semantics as S3 (conditional
 * writes, ranges, ordered paged listing). For tests, demos and throwaway databases.
 */
export class MemoryStore extends BaseStore {
  readonly location: string;
  private readonly objects = new Map<string, StoredObject>();
  /** All keys in S3 listing order, kept sorted so a page of a listing is a binary search away. */
  private readonly sortedKeys: string[] = [];

  constructor(options: BaseStoreOptions & { name?: string } = {}) {
    super(options, { concurrency: Infinity });
    this.location = `memory:${options.name ?? 'default'}`;
  }

  protected async doGet(key: string, options: GetOptions): Promise<GetResult> {
    const object = this.existing(key);
    if (options.ifMatch !== undefined && options.ifMatch !== object.etag) {
      throw new PreconditionFailedError(key, `ETag is ${object.etag}, not ${options.ifMatch}`);
    }
    const size = object.body.byteLength;
    const [start, end] = options.range ? resolveRange(key, size, options.range) : [0, size];
    return { key, etag: object.etag, size, body: object.body.slice(start, end) };
  }

  protected async doGetStream(key: string, options: StreamGetOptions): Promise<StreamGetResult> {
    const { body, ...info } = await this.doGet(key, { ifMatch: options.ifMatch });
    return { info, body: chunksOf(body) };
  }

  protected async doPutStream(key: string, body: AsyncIterable<Uint8Array>): Promise<PutResult> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return this.doPut(key, concatBytes(chunks), {});
  }

  protected async doHead(key: string): Promise<ObjectInfo> {
    const object = this.existing(key);
    return { key, etag: object.etag, size: object.body.byteLength };
  }

  protected async doPut(key: string, body: Uint8Array, options: PutOptions): Promise<PutResult> {
    const current = this.objects.get(key);
    if (options.ifNoneMatch === '*' && current) {
      throw new PreconditionFailedError(key, 'the key already exists');
    }
    if (options.ifMatch !== undefined) {
      if (!current) throw new NotFoundError(key, this.location);
      if (current.etag !== options.ifMatch) {
        throw new PreconditionFailedError(key, `ETag is ${current.etag}, not ${options.ifMatch}`);
      }
    }
    const etag = md5Etag(body);
    if (!current) this.sortedKeys.splice(upperBound(this.sortedKeys, key), 0, key);
    this.objects.set(key, { body: body.slice(), etag, modified: new Date(this.clock.now()) });
    return { etag };
  }

  protected async doDelete(key: string): Promise<void> {
    if (!this.objects.delete(key)) return;
    const index = upperBound(this.sortedKeys, key) - 1;
    this.sortedKeys.splice(index, 1);
  }

  protected async doDeleteBatch(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.doDelete(key);
  }

  protected async doList(
    prefix: string,
    startAfter: string | undefined,
    maxKeys: number,
  ): Promise<ListPage> {
    const from =
      startAfter !== undefined && compareKeys(startAfter, prefix) >= 0
        ? upperBound(this.sortedKeys, startAfter)
        : upperBound(this.sortedKeys, prefix) - (this.objects.has(prefix) ? 1 : 0);
    const objects: ObjectInfo[] = [];
    for (let i = from; i < this.sortedKeys.length; i++) {
      const key = this.sortedKeys[i] as string;
      if (!key.startsWith(prefix)) break;
      if (objects.length === maxKeys) return { objects, truncated: true };
      const object = this.objects.get(key) as StoredObject;
      objects.push({
        key,
        etag: object.etag,
        size: object.body.byteLength,
        lastModified: object.modified,
      });
    }
    return { objects, truncated: false };
  }

  private existing(key: string): StoredObject {
    const object = this.objects.get(key);
    if (!object) throw new NotFoundError(key, this.location);
    return object;
  }
}

/** A body handed out in pieces, as a network stream would arrive. */
async function* chunksOf(body: Uint8Array, size = 1 << 20): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < body.byteLength; offset += size) {
    yield body.subarray(offset, offset + size);
  }
}

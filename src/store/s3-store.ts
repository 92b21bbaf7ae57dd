import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Attempt } from './base-store.js';
import { unquoteEtag } from './etag.js';
import {
  DEFAULT_S3_CONCURRENCY,
  rangeHeader,
  S3CompatibleStore,
  type S3LocationOptions,
} from './s3-compatible-store.js';
import { mapS3Error } from './s3-errors.js';
import type {
  GetOptions,
  GetResult,
  ListPage,
  ObjectInfo,
  PutOptions,
  PutResult,
  RequestOptions,
  StreamGetOptions,
  StreamGetResult,
} from './types.js';

export interface S3StoreOptions extends S3LocationOptions {
  /** A named profile of ~/.aws/config and ~/.aws/credentials. */
  profile?: string;
  /** Use this client instead of building one (its own settings then apply). */
  client?: S3Client;
}

/**
 * The store on Amazon S3 or any S3-compatible server, through the AWS SDK v3. Retries are
 * s3lite's own (the SDK's are turned off) so that every attempt is counted and conditional
 * writes are retried with the rules s3lite needs.
 */
export class S3Store extends S3CompatibleStore {
  private readonly client: S3Client;
  private readonly ownsClient: boolean;

  constructor(options: S3StoreOptions) {
    super(options);
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? buildClient(options, this.endpointUrl, this.region);
  }

  protected async doGet(key: string, options: GetOptions, { signal }: Attempt): Promise<GetResult> {
    const response = await this.send('get', key, signal, () =>
      this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: rangeHeader(options.range),
          IfMatch: options.ifMatch,
        }),
        { abortSignal: signal },
      ),
    );
    const body = response.Body
      ? await response.Body.transformToByteArray().catch((error: unknown) => {
          throw mapS3Error(error, this.context('get', key));
        })
      : new Uint8Array(0);
    const total = /\/(\d+)$/.exec(response.ContentRange ?? '')?.[1];
    return {
      key,
      etag: unquoteEtag(response.ETag ?? ''),
      size: total === undefined ? body.byteLength : Number(total),
      body,
    };
  }

  protected async doGetStream(key: string, options: StreamGetOptions): Promise<StreamGetResult> {
    const response = await this.send('get', key, options.signal, () =>
      this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: options.ifMatch }),
        { abortSignal: options.signal },
      ),
    );
    const info = { key, etag: unquoteEtag(response.ETag ?? ''), size: response.ContentLength ?? 0 };
    return {
      info,
      body: this.mappedErrors('get', key, response.Body as AsyncIterable<Uint8Array>),
    };
  }

  /**
   * Multipart upload through lib-storage for bodies over one part (8 MiB), so any size works
   * with bounded memory: 4 parts in flight at most.
   */
  protected async doPutStream(
    key: string,
    body: AsyncIterable<Uint8Array>,
    options: RequestOptions,
  ): Promise<PutResult> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: Readable.from(body) },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      const result = await this.send('put', key, options.signal, () => upload.done());
      // Ceph RGW answers CompleteMultipartUpload without an ETag; HEAD has the right one.
      const etag = unquoteEtag(result.ETag ?? '');
      if (etag !== '') return { etag };
      return { etag: (await this.head(key, { signal: options.signal })).etag };
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  protected async doHead(key: string, { signal }: Attempt): Promise<ObjectInfo> {
    const response = await this.send('head', key, signal, () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: signal,
      }),
    );
    return { key, etag: unquoteEtag(response.ETag ?? ''), size: response.ContentLength ?? 0 };
  }

  protected async putObject(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    { signal }: Attempt,
  ): Promise<PutResult> {
    const response = await this.send('put', key, signal, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          IfNoneMatch: options.ifNoneMatch,
          // Unquoted (BaseStore strips quotes): Ceph RGW compares If-Match with the bare
          // ETag only, and AWS and MinIO accept it.
          IfMatch: options.ifMatch,
        }),
        { abortSignal: signal },
      ),
    );
    return { etag: unquoteEtag(response.ETag ?? '') };
  }

  protected async doDelete(key: string, { signal }: Attempt): Promise<void> {
    await this.send('delete', key, signal, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: signal,
      }),
    );
  }

  protected async doDeleteBatch(keys: readonly string[], { signal }: Attempt): Promise<void> {
    if (keys.length === 0) return;
    const response = await this.send('deleteMany', undefined, signal, () =>
      this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
        { abortSignal: signal },
      ),
    );
    const failure = this.batchDeleteFailure(keys, response.Errors ?? []);
    if (failure) throw failure;
  }

  protected async doList(
    prefix: string,
    startAfter: string | undefined,
    maxKeys: number,
    { signal }: Attempt,
  ): Promise<ListPage> {
    const response = await this.send('list', undefined, signal, () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix === '' ? undefined : prefix,
          StartAfter: startAfter,
          MaxKeys: maxKeys,
        }),
        { abortSignal: signal },
      ),
    );
    const objects = (response.Contents ?? []).map((o) => ({
      key: o.Key ?? '',
      etag: unquoteEtag(o.ETag ?? ''),
      size: o.Size ?? 0,
      lastModified: o.LastModified,
    }));
    return { objects, truncated: response.IsTruncated === true };
  }

  override async close(): Promise<void> {
    await super.close();
    if (this.ownsClient) this.client.destroy();
  }

  /** A response body whose read errors (reset connections, …) come out typed. */
  private async *mappedErrors(
    operation: string,
    key: string,
    chunks: AsyncIterable<Uint8Array>,
  ): AsyncIterable<Uint8Array> {
    try {
      yield* chunks;
    } catch (error) {
      throw mapS3Error(error, this.context(operation, key));
    }
  }

  private async send<T>(
    operation: string,
    key: string | undefined,
    signal: AbortSignal | undefined,
    request: () => Promise<T>,
  ): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (signal?.aborted) throw error;
      throw mapS3Error(error, this.context(operation, key));
    }
  }
}

function buildClient(options: S3StoreOptions, endpoint: string | undefined, region: string) {
  const maxSockets = options.concurrency ?? DEFAULT_S3_CONCURRENCY;
  const config: S3ClientConfig = {
    region,
    endpoint,
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    credentials: options.credentials,
    profile: options.profile,
    // s3lite retries by itself, counting every attempt.
    maxAttempts: 1,
    // The SDK's default checksums break streaming uploads on Ceph and older MinIO and are not
    // needed: every s3lite object is covered by its own checksum.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: 5_000,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    },
  };
  return new S3Client(config);
}

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
import { addressableByUrl, FetchS3Store } from './fetch-s3-store.js';
import {
  DEFAULT_S3_CONCURRENCY,
  rangeHeader,
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
  /**
   * Use this client instead of building one: its credentials sign every request, and its
   * other settings apply to the requests it sends (listings, batch deletes, multipart
   * uploads); the others go to this store's endpoint and region.
   */
  client?: S3Client;
}

/**
 * The store on Amazon S3 or any S3-compatible server from Node. Credentials come from the AWS
 * SDK v3 (its default chain: environment, profile, SSO, instance role, refreshed before they
 * expire). Single-object requests — the page and commit-record GETs, PUTs, HEADs and
 * DELETEs — are signed by aws4fetch and sent over `fetch`'s keep-alive connections, as
 * {@link FetchS3Store} sends them: the SDK's middleware costs about twice the CPU per request.
 * Streamed reads, listings, batch deletes, multipart uploads and keys with a `.` or `..`
 * segment (which a URL cannot hold) go through the SDK. Retries are s3lite's own (the SDK's
 * are turned off) so that every attempt is counted and conditional writes are retried with
 * the rules s3lite needs.
 */
export class S3Store extends FetchS3Store {
  private readonly client: S3Client;
  private readonly ownsClient: boolean;

  constructor(options: S3StoreOptions) {
    // Asked at the first request, when the client exists (it needs the endpoint and region
    // the base class resolves). The SDK's provider is memoized: it asks the chain again only
    // when the credentials are about to expire.
    super({ ...options, credentials: () => this.client.config.credentials() });
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? buildClient(options, this.endpointUrl, this.region);
  }

  protected override doGet(key: string, options: GetOptions, attempt: Attempt): Promise<GetResult> {
    return addressableByUrl(key)
      ? super.doGet(key, options, attempt)
      : this.getThroughSdk(key, options, attempt);
  }

  protected override doHead(key: string, attempt: Attempt): Promise<ObjectInfo> {
    return addressableByUrl(key) ? super.doHead(key, attempt) : this.headThroughSdk(key, attempt);
  }

  protected override putObject(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    attempt: Attempt,
  ): Promise<PutResult> {
    return addressableByUrl(key)
      ? super.putObject(key, body, options, attempt)
      : this.putThroughSdk(key, body, options, attempt);
  }

  protected override doDelete(key: string, attempt: Attempt): Promise<void> {
    return addressableByUrl(key)
      ? super.doDelete(key, attempt)
      : this.deleteThroughSdk(key, attempt);
  }

  protected override async doGetStream(
    key: string,
    options: StreamGetOptions,
  ): Promise<StreamGetResult> {
    const response = await this.throughSdk('get', key, options.signal, () =>
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
  protected override async doPutStream(
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
      const result = await this.throughSdk('put', key, options.signal, () => upload.done());
      // Ceph RGW answers CompleteMultipartUpload without an ETag; HEAD has the right one.
      const etag = unquoteEtag(result.ETag ?? '');
      if (etag !== '') return { etag };
      return { etag: (await this.head(key, { signal: options.signal })).etag };
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  protected override async doDeleteBatch(
    keys: readonly string[],
    { signal }: Attempt,
  ): Promise<void> {
    if (keys.length === 0) return;
    const response = await this.throughSdk('deleteMany', undefined, signal, () =>
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

  protected override async doList(
    prefix: string,
    startAfter: string | undefined,
    maxKeys: number,
    { signal }: Attempt,
  ): Promise<ListPage> {
    const response = await this.throughSdk('list', undefined, signal, () =>
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

  /**
   * The requests of keys that cannot be put in a URL (a `.` or `..` segment): the SDK sends
   * the path as it is.
   */
  private async getThroughSdk(
    key: string,
    options: GetOptions,
    { signal }: Attempt,
  ): Promise<GetResult> {
    const response = await this.throughSdk('get', key, signal, () =>
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

  private async headThroughSdk(key: string, { signal }: Attempt): Promise<ObjectInfo> {
    const response = await this.throughSdk('head', key, signal, () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: signal,
      }),
    );
    return { key, etag: unquoteEtag(response.ETag ?? ''), size: response.ContentLength ?? 0 };
  }

  private async putThroughSdk(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    { signal }: Attempt,
  ): Promise<PutResult> {
    const response = await this.throughSdk('put', key, signal, () =>
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

  private async deleteThroughSdk(key: string, { signal }: Attempt): Promise<void> {
    await this.throughSdk('delete', key, signal, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: signal,
      }),
    );
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

  /** Send a request through the SDK, its failures typed (an abort passes through as is). */
  private async throughSdk<T>(
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

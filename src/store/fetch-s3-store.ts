import {
  CredentialsError,
  InvalidArgumentError,
  S3liteError,
  StoreError,
  UnreachableError,
} from '../errors.js';
import { fixedSizePieces } from '../bytes.js';
import type { Attempt } from './base-store.js';
import { CurrentSigner } from './current-signer.js';
import { contentMd5, unquoteEtag } from './etag.js';
import {
  environment,
  rangeHeader,
  S3CompatibleStore,
  type S3Credentials,
  type S3CredentialsProvider,
  type S3LocationOptions,
} from './s3-compatible-store.js';
import { mapS3Error, type S3RequestContext } from './s3-errors.js';
import { escapeXml, xmlElements, xmlText, xmlTexts } from './s3-xml.js';
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

/** Options of {@link FetchS3Store}. */
export interface FetchS3StoreOptions extends S3LocationOptions {
  /**
   * Default: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` where the
   * runtime has an environment; a web page must pass them (temporary credentials, or a
   * provider that fetches them again before they expire).
   */
  credentials?: S3Credentials | S3CredentialsProvider;
  /** The `fetch` requests go through (default: the global one). */
  fetch?: typeof fetch;
}

/** One request: what is signed and sent. */
interface S3Request {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  key?: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string | undefined>;
  body?: Uint8Array | string;
  signal?: AbortSignal;
}

/** Bytes per part of a streamed upload (S3's smallest is 5 MiB, its most parts 10,000): as S3Store's. */
const PART_SIZE = 8 * 1024 * 1024;

/**
 * The store on S3 or any S3-compatible server over `fetch`, each request signed (AWS
 * Signature V4) by aws4fetch: for runtimes without Node's HTTP stack — browsers, Cloudflare
 * Workers — and the lean request path {@link S3Store} sends its single-object requests on.
 * Behaves as {@link S3Store} does: the same typed errors, conditional writes, retries and
 * timeouts (of {@link BaseStore}).
 *
 * In a browser the bucket needs a CORS rule that allows the page's origin, the methods GET,
 * HEAD, PUT, POST and DELETE, the request headers, and exposes `ETag` (see README, Runtimes).
 */
export class FetchS3Store extends S3CompatibleStore {
  private readonly signer: CurrentSigner;
  private readonly send: typeof fetch;
  /** URL of the bucket, without a trailing slash. */
  private readonly bucketUrl: string;

  constructor(options: FetchS3StoreOptions) {
    super(options);
    const credentials = options.credentials ?? credentialsFromEnvironment();
    if (!credentials) {
      throw new CredentialsError(
        `no AWS credentials for ${this.location}: pass \`credentials\`, or set ` +
          `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY where the runtime has an environment`,
      );
    }
    this.signer = new CurrentSigner(credentials, this.region);
    this.send = options.fetch ?? ((input, init) => fetch(input, init));
    // A bucket name with dots cannot be a host name under AWS's TLS certificate: the SDK
    // addresses such buckets by path too.
    const pathStyle =
      options.forcePathStyle ?? (this.endpointUrl !== undefined || this.bucket.includes('.'));
    const url = new URL(this.endpointUrl ?? `https://s3.${this.region}.amazonaws.com`);
    // fetch refuses a URL that carries a user and password (its error quotes them), and S3
    // authenticates requests by their signature alone.
    url.username = '';
    url.password = '';
    const endpoint = url.href.replace(/\/+$/, '');
    this.bucketUrl = pathStyle
      ? `${endpoint}/${this.bucket}`
      : endpoint.replace('://', `://${this.bucket}.`);
  }

  protected async doGet(key: string, options: GetOptions, { signal }: Attempt): Promise<GetResult> {
    const response = await this.request('get', {
      method: 'GET',
      key,
      headers: {
        range: rangeHeader(options.range),
        'if-match': options.ifMatch,
      },
      signal,
    });
    const body = new Uint8Array(await this.read('get', key, signal, () => response.arrayBuffer()));
    const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
    return {
      key,
      etag: this.etagOf(response, key),
      size: total === undefined ? body.byteLength : Number(total),
      body,
    };
  }

  protected async doGetStream(key: string, options: StreamGetOptions): Promise<StreamGetResult> {
    const { signal } = options;
    const response = await this.request('get', {
      method: 'GET',
      key,
      headers: { 'if-match': options.ifMatch },
      signal,
    });
    const info = {
      key,
      etag: this.etagOf(response, key),
      size: Number(response.headers.get('content-length') ?? 0),
    };
    return { info, body: this.chunks(key, response.body, signal) };
  }

  /** One PUT when the body fits in one part; otherwise a multipart upload, a part at a time. */
  protected async doPutStream(
    key: string,
    body: AsyncIterable<Uint8Array>,
    { signal }: RequestOptions,
  ): Promise<PutResult> {
    const parts = fixedSizePieces(body, PART_SIZE);
    const first = await parts.next();
    const second = first.done ? first : await parts.next();
    if (second.done) {
      const whole = first.done ? new Uint8Array(0) : first.value;
      return this.putObject(key, whole, {}, { signal: signal ?? new AbortController().signal });
    }
    const created = await this.request('put', {
      method: 'POST',
      key,
      query: { uploads: '' },
      signal,
    });
    const uploadId = xmlText(await created.text(), 'UploadId') ?? '';
    try {
      const etags = [
        await this.putPart(key, uploadId, 1, first.value as Uint8Array, signal),
        await this.putPart(key, uploadId, 2, second.value, signal),
      ];
      for await (const part of { [Symbol.asyncIterator]: () => parts }) {
        etags.push(await this.putPart(key, uploadId, etags.length + 1, part, signal));
      }
      const list = etags.map(
        (etag, i) =>
          `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${escapeXml(etag)}"</ETag></Part>`,
      );
      const completed = await this.request('put', {
        method: 'POST',
        key,
        query: { uploadId },
        body: `<CompleteMultipartUpload>${list.join('')}</CompleteMultipartUpload>`,
        signal,
      });
      // S3 may answer 200 and report the failure in the body.
      const answer = await completed.text();
      if (xmlText(answer, 'Code') !== undefined) throw this.bodyError('put', key, 200, answer);
      // Ceph RGW answers CompleteMultipartUpload without an ETag; HEAD has the right one.
      const etag = unquoteEtag(completed.headers.get('etag') ?? xmlText(answer, 'ETag') ?? '');
      if (etag !== '') return { etag };
      return { etag: (await this.head(key, { signal })).etag };
    } catch (error) {
      await this.request('put', { method: 'DELETE', key, query: { uploadId } }).catch(() => {});
      throw error;
    }
  }

  protected async doHead(key: string, { signal }: Attempt): Promise<ObjectInfo> {
    const response = await this.request('head', { method: 'HEAD', key, signal });
    const size = Number(response.headers.get('content-length') ?? 0);
    return { key, etag: this.etagOf(response, key), size };
  }

  protected async putObject(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    { signal }: Attempt,
  ): Promise<PutResult> {
    const response = await this.request('put', {
      method: 'PUT',
      key,
      headers: { 'if-none-match': options.ifNoneMatch, 'if-match': options.ifMatch },
      body,
      signal,
    });
    return { etag: unquoteEtag(response.headers.get('etag') ?? '') };
  }

  protected async doDelete(key: string, { signal }: Attempt): Promise<void> {
    await this.request('delete', { method: 'DELETE', key, signal });
  }

  protected async doDeleteBatch(keys: readonly string[], { signal }: Attempt): Promise<void> {
    if (keys.length === 0) return;
    const objects = keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`);
    const body = new TextEncoder().encode(
      `<Delete><Quiet>true</Quiet>${objects.join('')}</Delete>`,
    );
    const response = await this.request('deleteMany', {
      method: 'POST',
      query: { delete: '' },
      // S3 requires a checksum of a batch delete's body.
      headers: { 'content-md5': contentMd5(body) },
      body,
      signal,
    });
    const answer = await this.read('deleteMany', undefined, signal, () => response.text());
    const errors = xmlElements(answer, 'Error').map((error) => ({
      Key: xmlText(error, 'Key'),
      Code: xmlText(error, 'Code'),
      Message: xmlText(error, 'Message'),
    }));
    const failure = this.batchDeleteFailure(keys, errors);
    if (failure) throw failure;
  }

  protected async doList(
    prefix: string,
    startAfter: string | undefined,
    maxKeys: number,
    { signal }: Attempt,
  ): Promise<ListPage> {
    const response = await this.request('list', {
      method: 'GET',
      query: {
        'list-type': '2',
        prefix: prefix === '' ? undefined : prefix,
        'start-after': startAfter,
        'max-keys': String(maxKeys),
      },
      signal,
    });
    const answer = await this.read('list', undefined, signal, () => response.text());
    const objects = xmlElements(answer, 'Contents').map((entry) => {
      const modified = xmlText(entry, 'LastModified');
      return {
        key: xmlTexts(entry, 'Key')[0] ?? '',
        etag: unquoteEtag(xmlText(entry, 'ETag') ?? ''),
        size: Number(xmlText(entry, 'Size') ?? 0),
        lastModified: modified === undefined ? undefined : new Date(modified),
      };
    });
    return { objects, truncated: xmlText(answer, 'IsTruncated') === 'true' };
  }

  private async putPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const response = await this.request('put', {
      method: 'PUT',
      key,
      query: { partNumber: String(partNumber), uploadId },
      body,
      signal,
    });
    return unquoteEtag(response.headers.get('etag') ?? '');
  }

  /** Sign and send one request; resolves with a 2xx response, else throws its typed error. */
  private async request(operation: string, request: S3Request): Promise<Response> {
    const { key, signal } = request;
    const response = await this.read(operation, key, signal, async () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers ?? {}).filter(([, value]) => value !== undefined),
      ) as Record<string, string>;
      const signer = await this.signer.get();
      const signed = await signer.sign(this.url(key, request.query), {
        method: request.method,
        headers,
        body: request.body,
      });
      return this.send(signed, { signal });
    });
    if (response.ok) return response;
    const body = request.method === 'HEAD' ? '' : await response.text().catch(() => '');
    throw this.bodyError(operation, key, response.status, body);
  }

  /** Run a step of a request, its transport failures typed (an abort passes through as is). */
  private async read<T>(
    operation: string,
    key: string | undefined,
    signal: AbortSignal | undefined,
    step: () => Promise<T>,
  ): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (signal?.aborted || error instanceof S3liteError) throw error;
      throw transportError(error, this.context(operation, key));
    }
  }

  private bodyError(operation: string, key: string | undefined, status: number, body: string) {
    const code = xmlText(body, 'Code');
    return mapS3Error(
      {
        name: code,
        Code: code,
        message: xmlText(body, 'Message'),
        $metadata: { httpStatusCode: status },
      },
      this.context(operation, key),
    );
  }

  /**
   * The response's ETag. A browser shows it only when the bucket's CORS rule exposes it, and
   * s3lite cannot pin reads to versions without it: say so rather than read unpinned.
   */
  private etagOf(response: Response, key: string): string {
    const etag = response.headers.get('etag');
    if (etag !== null) return unquoteEtag(etag);
    throw new StoreError(
      `the answer for "${key}" from ${this.location} carries no ETag header: in a browser the ` +
        `bucket's CORS rule must expose it (ExposeHeaders: ETag)`,
      response.status,
    );
  }

  private async *chunks(
    key: string,
    body: ReadableStream<Uint8Array> | null,
    signal: AbortSignal | undefined,
  ): AsyncIterable<Uint8Array> {
    if (!body) return;
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await this.read('get', key, signal, () => reader.read());
        if (done) return;
        yield value;
      }
    } finally {
      // A reader that stops early must not leave the connection open.
      await reader.cancel().catch(() => {});
    }
  }

  private url(key: string | undefined, query: S3Request['query'] = {}): string {
    const path = key === undefined ? '/' : `/${key.split('/').map(encodePathSegment).join('/')}`;
    const search = Object.entries(query)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => (value === '' ? rfc3986(name) : `${rfc3986(name)}=${rfc3986(value)}`))
      .join('&');
    return `${this.bucketUrl}${path}${search === '' ? '' : `?${search}`}`;
  }
}

function credentialsFromEnvironment(): S3Credentials | undefined {
  const accessKeyId = environment('AWS_ACCESS_KEY_ID');
  const secretAccessKey = environment('AWS_SECRET_ACCESS_KEY');
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: environment('AWS_SESSION_TOKEN') };
}

/** `encodeURIComponent`, and the characters it leaves that Signature V4 wants encoded. */
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Whether a key can be put in a URL: a `.` or `..` segment cannot, as URL parsing (fetch's
 * own too) resolves them away, encoded or not, so the request would name another key.
 */
export function addressableByUrl(key: string): boolean {
  // Asked before every single-object request: a pattern, not an array of the key's segments.
  return !DOT_SEGMENT.test(key);
}

const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)/;

function isDotSegment(segment: string): boolean {
  return segment === '.' || segment === '..';
}

/** A key's path segment in a URL (see {@link addressableByUrl}). */
function encodePathSegment(segment: string): string {
  if (isDotSegment(segment)) {
    throw new InvalidArgumentError(
      `key segment "${segment}" cannot be addressed over fetch (URLs resolve it away)`,
    );
  }
  return rfc3986(segment);
}

/** A failure to exchange the request at all: network errors are retryable `UNREACHABLE`. */
function transportError(error: unknown, context: S3RequestContext): S3liteError {
  const mapped = mapS3Error(error, context);
  // fetch rejects with a TypeError when the network failed; Node's says why in `cause`.
  if (mapped instanceof UnreachableError || !(error instanceof TypeError)) return mapped;
  return new UnreachableError(
    `cannot reach ${context.endpoint} (${error.message}) for s3://${context.bucket}` +
      (context.key ? `/${context.key}` : ''),
    { cause: error, retryable: true },
  );
}

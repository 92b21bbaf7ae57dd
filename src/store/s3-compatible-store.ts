import {
  InvalidArgumentError,
  NotFoundError,
  PreconditionFailedError,
  StoreError,
} from '../errors.js';
import { BaseStore, type Attempt, type BaseStoreOptions } from './base-store.js';
import { redactUrlPasswords } from './redact.js';
import type { S3RequestContext } from './s3-errors.js';
import type { ByteRange, PutOptions, PutResult } from './types.js';

/** Static credentials; without them the AWS default provider chain is used. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Where temporary credentials come from (an AWS SDK credential provider fits): asked again five
 * minutes before the `expiration` of the ones it gave; never again when they have none.
 */
export type S3CredentialsProvider = () => Promise<S3Credentials & { expiration?: Date }>;

/** Where a bucket is and how to reach it: the settings every S3 transport shares. */
export interface S3LocationOptions extends BaseStoreOptions {
  bucket: string;
  /**
   * S3-compatible endpoint URL (MinIO, R2, Ceph, …). Default: `AWS_ENDPOINT_URL_S3`, then
   * `AWS_ENDPOINT_URL`, then AWS itself.
   */
  endpoint?: string;
  /** Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`. */
  region?: string;
  /** Path-style URLs (`host/bucket/key`). Default: on for a custom endpoint, off for AWS. */
  forcePathStyle?: boolean;
  /**
   * Explicit credentials, or a provider of temporary ones. Default: the AWS chain
   * (environment, profile, SSO, instance role).
   */
  credentials?: S3Credentials | S3CredentialsProvider;
}

/** Default requests in flight per store: enough to hide S3's tens-of-ms latency. */
export const DEFAULT_S3_CONCURRENCY = 64;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * What the S3 transports (the AWS SDK's, signed fetch) share: the bucket, endpoint and region
 * settings with their checks and defaults, how failures are named, and conditional writes.
 */
export abstract class S3CompatibleStore extends BaseStore {
  readonly location: string;
  readonly bucket: string;
  /** Named in every message: never with the password a URL may carry. */
  readonly endpoint: string;
  /** The endpoint URL given or found in the environment; undefined for AWS itself. */
  protected readonly endpointUrl: string | undefined;
  protected readonly region: string;

  protected constructor(options: S3LocationOptions) {
    super(options, { concurrency: DEFAULT_S3_CONCURRENCY });
    if (!options.bucket || !BUCKET_NAME.test(options.bucket)) {
      throw new InvalidArgumentError(
        `invalid bucket name "${options.bucket ?? ''}": 3–63 lowercase letters, digits, dots or hyphens`,
      );
    }
    this.bucket = options.bucket;
    this.endpointUrl =
      options.endpoint ?? environment('AWS_ENDPOINT_URL_S3') ?? environment('AWS_ENDPOINT_URL');
    if (this.endpointUrl !== undefined) checkEndpoint(this.endpointUrl);
    this.region =
      options.region ??
      environment('AWS_REGION') ??
      environment('AWS_DEFAULT_REGION') ??
      'us-east-1';
    this.endpoint =
      this.endpointUrl === undefined
        ? `AWS S3 (${this.region})`
        : redactUrlPasswords(this.endpointUrl);
    this.location = `s3://${this.bucket} at ${this.endpoint}`;
  }

  /** One attempt of a PUT, its failures typed; `doPut` adds what conditional writes need. */
  protected abstract putObject(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    attempt: Attempt,
  ): Promise<PutResult>;

  protected async doPut(
    key: string,
    body: Uint8Array,
    options: PutOptions,
    attempt: Attempt,
  ): Promise<PutResult> {
    try {
      return await this.putObject(key, body, options, attempt);
    } catch (error) {
      if (options.ifMatch !== undefined && error instanceof PreconditionFailedError) {
        // Ceph answers 412 where AWS answers 404 for If-Match on a missing key.
        // Called directly, not through head(): this attempt already holds a concurrency slot.
        const started = this.clock.monotonic();
        const exists = await this.doHead(key, attempt)
          .then(
            () => true,
            (headError: unknown) => !(headError instanceof NotFoundError),
          )
          .finally(() => this.metrics.recordRequest('head', this.clock.monotonic() - started));
        if (!exists) throw new NotFoundError(key, this.location, { cause: error });
      }
      throw error;
    }
  }

  /**
   * The error of a batch delete whose answer lists keys it could not delete (a key already
   * gone counts as deleted); undefined when all went.
   */
  protected batchDeleteFailure(
    keys: readonly string[],
    errors: readonly { Key?: string; Code?: string; Message?: string }[],
  ): StoreError | undefined {
    const failed = errors.filter((e) => e.Code !== 'NoSuchKey');
    const first = failed[0];
    if (first === undefined) return undefined;
    return new StoreError(
      `batch delete in ${this.location} failed for ${failed.length} of ${keys.length} keys ` +
        `(first: "${first.Key}": ${first.Code} ${first.Message ?? ''})`,
      undefined,
      { retryable: failed.every((e) => e.Code === 'InternalError' || e.Code === 'SlowDown') },
    );
  }

  protected context(operation: string, key: string | undefined): S3RequestContext {
    return { operation, bucket: this.bucket, endpoint: this.endpoint, key };
  }
}

/** The HTTP `Range` header of a ranged GET (undefined for the whole object). */
export function rangeHeader(range: ByteRange | undefined): string | undefined {
  if (!range) return undefined;
  return `bytes=${range.offset}-${range.length === undefined ? '' : range.offset + range.length - 1}`;
}

/** A variable of the process environment, where the runtime has one (browsers do not). */
export function environment(name: string): string | undefined {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } })
    .process;
  return process?.env?.[name];
}

function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    // Not chained: the URL parser's error repeats the input, password included.
    throw new InvalidArgumentError(`malformed S3 endpoint URL "${redactUrlPasswords(endpoint)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(
      `S3 endpoint URL "${redactUrlPasswords(endpoint)}" must start with http:// or https://, ` +
        `not ${url.protocol}`,
    );
  }
}

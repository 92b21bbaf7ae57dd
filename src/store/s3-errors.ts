import {
  AccessDeniedError,
  CredentialsError,
  InvalidArgumentError,
  InvalidRangeError,
  NoSuchBucketError,
  NotFoundError,
  PreconditionFailedError,
  S3liteError,
  StoreError,
  UnreachableError,
} from '../errors.js';

/** What the failed request was about, so the error can name it. */
export interface S3RequestContext {
  operation: string;
  bucket: string;
  endpoint: string;
  key?: string;
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

/** Error names S3 and its look-alikes use for a missing key. */
const MISSING_KEY = new Set(['NoSuchKey', 'NotFound']);
/** Error names of refused credentials or permissions: retrying cannot help. */
const DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'AllAccessDisabled',
]);
/**
 * What the refusals mean: the SDK reads no message from a HEAD response's empty body and
 * says `UnknownError`, which names nothing.
 */
const DENIED_REASONS: Record<string, string> = {
  SignatureDoesNotMatch: 'SignatureDoesNotMatch: the secret key does not match the access key',
  InvalidAccessKeyId: 'InvalidAccessKeyId: the server knows no such access key',
  ExpiredToken: 'ExpiredToken: the session token has expired',
  InvalidToken: 'InvalidToken: the session token is malformed or invalid',
};
/** Errors worth repeating: the server is busy, hiccuped, or lost a conditional-write race. */
const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'ConditionalRequestConflict',
  'OperationAborted',
  'ThrottlingException',
]);
/** Network failures of the connection itself. Of these only DNS failures are final. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** Turn an AWS SDK failure into the typed s3lite error that says what went wrong, and where. */
export function mapS3Error(sdkError: unknown, context: S3RequestContext): S3liteError {
  if (sdkError instanceof S3liteError) return sdkError;
  const e = (sdkError ?? {}) as SdkErrorShape;
  const error = leanCause(sdkError);
  const name = e.Code ?? e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const object = `s3://${context.bucket}${context.key ? `/${context.key}` : ''}`;
  const where = `${object} at ${context.endpoint}`;
  const detail = `${name || 'error'}${e.message ? `: ${e.message}` : ''}`;

  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(e.message ?? '')) {
    return new CredentialsError(
      `no AWS credentials found for ${where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
        `choose a profile with AWS_PROFILE, or pass credentials explicitly`,
      { cause: error },
    );
  }
  const networkCode = networkCodeOf(sdkError);
  if (networkCode) {
    // The endpoint once, and the object: a background failure must say which one it was.
    return new UnreachableError(`cannot reach ${context.endpoint} (${networkCode}) for ${object}`, {
      cause: error,
      retryable: networkCode !== 'ENOTFOUND',
    });
  }
  if (name === 'NoSuchBucket')
    return new NoSuchBucketError(context.bucket, context.endpoint, { cause: error });
  if (name === 'InvalidBucketName') {
    return new InvalidArgumentError(`invalid bucket name "${context.bucket}" (${detail})`, {
      cause: error,
    });
  }
  if (MISSING_KEY.has(name) || (status === 404 && context.key !== undefined)) {
    return new NotFoundError(context.key ?? '', `s3://${context.bucket} at ${context.endpoint}`, {
      cause: error,
    });
  }
  if (status === 404)
    return new NoSuchBucketError(context.bucket, context.endpoint, { cause: error });
  if (name === 'PreconditionFailed' || status === 412) {
    return new PreconditionFailedError(context.key ?? '', detail, { cause: error });
  }
  if (name === 'InvalidRange' || status === 416) {
    return new InvalidRangeError(context.key ?? '', detail);
  }
  if (DENIED.has(name) || status === 403 || status === 401) {
    // The bucket, not the key: which internal object was refused first tells the user nothing.
    const reason =
      DENIED_REASONS[name] ?? (e.message && e.message !== 'UnknownError' ? detail : name);
    return new AccessDeniedError(
      `access denied to s3://${context.bucket} at ${context.endpoint} (${reason || `HTTP ${status}`})`,
      { cause: error },
    );
  }
  const retryable =
    RETRYABLE_NAMES.has(name) ||
    status === 409 ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    (status === undefined && e.$fault === 'server');
  return new StoreError(
    `${context.operation} ${where} failed (${status ?? 'no status'} ${detail})`,
    status,
    {
      cause: error,
      retryable,
    },
  );
}

/** The errno-style code of a network failure, searched along the `cause` chain. */
function networkCodeOf(error: unknown): string | undefined {
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  if (error instanceof Error && /socket hang up/i.test(error.message)) return 'ECONNRESET';
  return undefined;
}

/**
 * The SDK's error keeps the whole HTTP response (sockets, agents) on `$response`: printing
 * it buries the message under kilobytes. Keep what explains the failure.
 */
function leanCause(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as Error & SdkErrorShape & { $response?: unknown };
  const lean = new Error(e.message) as Error & { code?: string; status?: number };
  lean.name = e.name;
  if (e.Code ?? e.code) lean.code = e.Code ?? e.code;
  if (e.$metadata?.httpStatusCode) lean.status = e.$metadata.httpStatusCode;
  if (e.cause !== undefined) lean.cause = e.cause;
  return lean;
}

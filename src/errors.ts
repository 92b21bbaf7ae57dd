/**
 * Typed errors shared by every layer. Each carries a stable `code` so callers can branch on
 * `err.code` instead of parsing messages, and each message names the object, bucket or
 * endpoint involved.
 *
 * @packageDocumentation
 */

/** Every error code s3lite raises. */
export type S3liteErrorCode =
  | 'NOT_FOUND'
  | 'PRECONDITION_FAILED'
  | 'INVALID_RANGE'
  | 'NO_SUCH_BUCKET'
  | 'ACCESS_DENIED'
  | 'CREDENTIALS'
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED'
  | 'STORE_ERROR'
  | 'CONFLICT'
  | 'CORRUPT'
  | 'UNSAFE_STORE'
  | 'FORMAT_VERSION'
  | 'NOT_A_DATABASE'
  | 'SQLITE_ERROR'
  | 'CLOSED'
  | 'READ_ONLY'
  | 'DATABASE_EXISTS'
  | 'SNAPSHOT_EXPIRED'
  | 'UNKNOWN_OUTCOME'
  | 'IMPORT_VERIFY_FAILED';

/** Base class of all s3lite errors. */
export class S3liteError extends Error {
  /** Stable machine-readable code. */
  readonly code: S3liteErrorCode;
  /** Whether repeating the same request may succeed (server busy, network blip, timeout). */
  readonly retryable: boolean;

  constructor(
    code: S3liteErrorCode,
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

/** The object (or the version asked for) does not exist. */
export class NotFoundError extends S3liteError {
  constructor(
    readonly key: string,
    where: string,
    options?: { cause?: unknown },
  ) {
    super('NOT_FOUND', `object "${key}" not found in ${where}`, options);
  }
}

/** A conditional request's precondition did not hold (the key exists, or its ETag changed). */
export class PreconditionFailedError extends S3liteError {
  constructor(
    readonly key: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('PRECONDITION_FAILED', `precondition failed for "${key}": ${detail}`, options);
  }
}

/** A byte range starts at or beyond the end of the object. */
export class InvalidRangeError extends S3liteError {
  constructor(key: string, detail: string) {
    super('INVALID_RANGE', `invalid range for "${key}": ${detail}`);
  }
}

/** The bucket does not exist. */
export class NoSuchBucketError extends S3liteError {
  constructor(
    readonly bucket: string,
    endpoint: string,
    options?: { cause?: unknown },
  ) {
    super('NO_SUCH_BUCKET', `bucket "${bucket}" does not exist at ${endpoint}`, options);
  }
}

/** The credentials were refused, or lack the permission asked for. */
export class AccessDeniedError extends S3liteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ACCESS_DENIED', message, options);
  }
}

/** No credentials could be found anywhere in the provider chain. */
export class CredentialsError extends S3liteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CREDENTIALS', message, options);
  }
}

/** The endpoint could not be reached (DNS, refused connection, reset). */
export class UnreachableError extends S3liteError {
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super('UNREACHABLE', message, { retryable: true, ...options });
  }
}

/** A request did not complete within its time limit. */
export class TimeoutError extends S3liteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, { ...options, retryable: true });
  }
}

/** The caller aborted the operation through its AbortSignal. */
export class AbortedError extends S3liteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/** A caller passed something unusable: a malformed URL, a bad option, an invalid key. */
export class InvalidArgumentError extends S3liteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** The store cannot do what was asked (for example `If-Match` on a store without it). */
export class UnsupportedError extends S3liteError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
  }
}

/** Any other failure reported by the store; `status` is the HTTP status when there is one. */
export class StoreError extends S3liteError {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super('STORE_ERROR', message, options);
  }
}

/** Another writer committed first: the transaction was not applied and may be re-run. */
export class ConflictError extends S3liteError {
  /**
   * How long to wait before re-running, in ms, when the store said so: 0 when this writer has
   * just reserved the next commit for itself, the rest of the reservation when another writer
   * holds it. Undefined for an ordinary lost race (back off as usual).
   */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('CONFLICT', message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** Stored data failed its checksum or could not be decoded; the message names the key. */
export class CorruptError extends S3liteError {
  constructor(
    readonly key: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('CORRUPT', `corrupt object "${key}": ${detail}`, options);
  }
}

/** The store ignores conditional writes, so concurrent writers could corrupt the database. */
export class UnsafeStoreError extends S3liteError {
  constructor(message: string) {
    super('UNSAFE_STORE', message);
  }
}

/** The prefix was written by a newer (or unknown) version of the s3lite format. */
export class FormatVersionError extends S3liteError {
  constructor(message: string) {
    super('FORMAT_VERSION', message);
  }
}

/** The prefix or file holds something that is not an s3lite / SQLite database. */
export class NotADatabaseError extends S3liteError {
  constructor(message: string) {
    super('NOT_A_DATABASE', message);
  }
}

/** SQLite reported an error; `sqliteCode` is its result code and `sql` the statement. */
export class SqliteError extends S3liteError {
  constructor(
    message: string,
    readonly sqliteCode: number,
    readonly sql?: string,
    options?: { cause?: unknown },
  ) {
    super('SQLITE_ERROR', message, options);
  }
}

/** The connection or volume was closed. */
export class ClosedError extends S3liteError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
  }
}

/** A write was attempted on something opened read-only. */
export class ReadOnlyError extends S3liteError {
  constructor(message: string) {
    super('READ_ONLY', message);
  }
}

/** An import found a database already at its target and was not told to overwrite it. */
export class DatabaseExistsError extends S3liteError {
  constructor(message: string) {
    super('DATABASE_EXISTS', message);
  }
}

/**
 * An import's staged pages failed SQLite's structure check (`PRAGMA quick_check`), so nothing
 * was committed. `findings` are SQLite's own lines (at most the first 100).
 */
export class ImportVerifyError extends S3liteError {
  constructor(
    readonly findings: readonly string[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super('IMPORT_VERIFY_FAILED', message, options);
  }
}

/**
 * The commit a reader or a time-travel open asked for has been removed by garbage collection
 * (it fell out of the retention window). Nothing wrong was read; reopen at the head, or at a
 * retained commit. `seq` is the collected commit; `oldestRetained` the oldest one left, when known.
 */
export class SnapshotExpiredError extends S3liteError {
  constructor(
    readonly seq: number,
    message: string,
    readonly oldestRetained?: number,
  ) {
    super('SNAPSHOT_EXPIRED', message);
  }
}

/**
 * A commit's outcome could not be found out: its commit record was sent, no answer came back,
 * and every attempt to learn whether it landed (re-sending it, reading it back) failed too. The
 * transaction may or may not have been committed, so it must not be blindly re-run: reconnect
 * and look for transaction `txid` at commit `seq` (`s3lite log`, or the data itself).
 * Never retryable.
 */
export class UnknownOutcomeError extends S3liteError {
  constructor(
    /** The commit record's key. */
    readonly key: string,
    /** The commit number the transaction tried to take. */
    readonly seq: number,
    /** The transaction's id, as its commit record holds it if it landed. */
    readonly txid: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('UNKNOWN_OUTCOME', message, { ...options, retryable: false });
  }
}

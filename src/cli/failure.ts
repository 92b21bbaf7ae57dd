import { CommanderError } from 'commander';
import { S3liteError, type S3liteErrorCode } from '../errors.js';
import { EXIT } from './exit-codes.js';

/** What to check, in command-line terms, when a failure has this code. */
const HINTS: Partial<Record<S3liteErrorCode, string>> = {
  ACCESS_DENIED: 'check --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
  CREDENTIALS: 'or choose a profile with --profile',
  UNREACHABLE: 'check --endpoint',
  TIMEOUT: 'check --endpoint',
  NO_SUCH_BUCKET: 'check the bucket in the URL, and --endpoint',
};

/**
 * Node's errors for a file the user named (a missing import source, a directory given as a
 * file): expected failures, reported as one line like s3lite's own.
 */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

/**
 * Print a failure as one line on stderr — what went wrong, with its code and what to check —
 * and return the exit status. Only an unexpected error (a bug) gets its stack.
 */
export function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has printed it (help and --version end here too, successfully).
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof S3liteError) {
    const hint = HINTS[error.code];
    console.error(`s3lite: ${error.message}${hint ? `; ${hint}` : ''} [${error.code}]`);
    if (error.code === 'INVALID_ARGUMENT') return EXIT.usage;
    if (error.code === 'CONFLICT') return EXIT.conflict;
    return EXIT.failure;
  }
  const file = fileError(error);
  if (file) {
    console.error(`s3lite: ${file}`);
    return EXIT.failure;
  }
  console.error(
    `s3lite: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return EXIT.failure;
}

/** A commander usage error as one line: the problem, and where to read the usage. */
export function usageLine(text: string): string {
  return `s3lite: ${text.replace(/^error: /, '').trim()} (see --help)\n`;
}

function fileError(error: unknown): string | undefined {
  const e = error as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof e?.code !== 'string' || typeof e.path !== 'string') return undefined;
  const meaning = FILE_ERRORS[e.code];
  return meaning ? `${e.path}: ${meaning} [${e.code}]` : undefined;
}

import {
  PreconditionFailedError,
  S3liteError,
  StoreError,
  UnknownOutcomeError,
} from '../errors.js';
import { commitKey, encodeCommitRecord, type CommitRecord } from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import { readCommit } from './commit-log.js';

/** How the create of a commit record ended, once its outcome is known. */
export type CreateOutcome =
  | { won: true }
  /**
   * Another transaction holds the record (`holder`: that record, undefined if it is gone
   * again), or ours does not count (see createEmptyCommit).
   */
  | { won: false; holder: CommitRecord | undefined; cause: PreconditionFailedError | undefined };

/**
 * Times the record is sent again when a create ended without an answer. Each one is a store
 * request with the store's own retries and back-off (about 1 s at most with the defaults), so
 * the whole resolution is bounded to a few seconds.
 */
export const RESOLVE_ROUNDS = 3;

/**
 * Create commit record `record.seq` with `If-None-Match: *` and find out for certain whether it
 * is ours. When a create ends without an answer (timeout, reset, lost response, retries spent)
 * the same bytes are sent again: the create is idempotent, so if the earlier one landed this
 * one gets 412, and the record read back then tells ours (same transaction id) from another
 * writer's. Only when no round gives an answer is the outcome reported unknown
 * (`UnknownOutcomeError`, never retryable): the transaction may or may not have committed.
 */
export async function createWithKnownOutcome(
  store: ObjectStore,
  prefix: string,
  record: CommitRecord,
): Promise<CreateOutcome> {
  const key = commitKey(prefix, record.seq);
  const bytes = encodeCommitRecord(record);
  let unanswered: unknown;
  for (let round = 0; round <= RESOLVE_ROUNDS; round++) {
    try {
      await store.put(key, bytes, { ifNoneMatch: '*' });
      return { won: true };
    } catch (error) {
      if (error instanceof PreconditionFailedError) {
        try {
          // A re-sent create whose first attempt landed is refused too: the record tells.
          const holder = await readCommit(store, prefix, record.seq);
          if (holder?.txid === record.txid) return { won: true };
          return { won: false, holder, cause: error };
        } catch (readError) {
          if (!answerless(readError)) throw readError;
          unanswered = readError;
          continue;
        }
      }
      // A refusal with an answer (access denied, bad request) applied nothing, unless an
      // earlier round's create, whose answer never came, did.
      if (answerless(error)) unanswered = error;
      else if (unanswered === undefined) throw error;
    }
  }
  throw new UnknownOutcomeError(
    key,
    record.seq,
    record.txid,
    `the outcome of commit ${record.seq} (transaction ${record.txid}) of database "${prefix}" ` +
      `in ${store.location} is unknown: its commit record "${key}" was sent but no answer ` +
      `came back, nor to ${RESOLVE_ROUNDS} more attempts to find out. The transaction may or ` +
      `may not have been committed: do not re-run it blindly; reopen the database and check ` +
      `whether commit ${record.seq} holds transaction ${record.txid} (s3lite log)`,
    { cause: unanswered },
  );
}

/**
 * Whether a failed request may have been applied all the same: no answer came (timeout, reset,
 * refused connection) or a server error that does not say (5xx, retryable). A typed refusal that
 * the server answered (403, 400…) applied nothing.
 */
function answerless(error: unknown): boolean {
  if (!(error instanceof S3liteError)) return true;
  if (error.retryable) return true;
  return error instanceof StoreError && error.status === undefined;
}

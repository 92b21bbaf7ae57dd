import { ConflictError } from '../errors.js';

/**
 * A sync with `onConflict: 'error'` found that another instance committed after this one's
 * buffered changes began. Nothing was written; the changes stay buffered: `sync({ onConflict:
 * 'retry' })` applies them on the head, `discard()` drops them.
 */
export class SyncConflictError extends ConflictError {
  constructor(
    /** The commit the buffered changes were made on. */
    readonly localCommit: number,
    /** The database's head commit, made by another instance. */
    readonly headCommit: number,
    /** How many changes stay buffered. */
    readonly pending: number,
    where: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${where}: ${pending} buffered change(s) were made on commit ${localCommit}, but another instance committed since (head: commit ${headCommit}); they stay buffered: sync({ onConflict: 'retry' }) applies them on the head, discard() drops them`,
      options,
    );
  }
}

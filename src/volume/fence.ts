import { randomHex, type Clock, type Random } from '../clock.js';
import type { CommitRecord } from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import { collectedPast, type Snapshot } from './commit-log.js';
import { createWithKnownOutcome, type CreateOutcome } from './commit-outcome.js';

/** What marks a commit that changes no page: who made it and why. */
export type EmptyCommitMark =
  Required<Pick<CommitRecord, 'fence'>> | Required<Pick<CommitRecord, 'turn'>>;

/**
 * Make every write transaction that began at or before `head` lose its commit race, by making
 * commit `head + 1` first: a commit that changes no page (`fence: true` in its record).
 * Garbage collection does this before it deletes page objects of transactions that no commit
 * names: a writer whose uploads it deletes (one slower than the grace period, or any writer
 * with `grace: 0`) then can never publish a commit naming them, since every commit number it
 * could create is taken; it gets a conflict and re-runs on the new head with new pages.
 *
 * Returns whether the fence stands; false when another writer made commit `head + 1` first (its
 * transaction may be one of those whose pages looked unnamed).
 */
export async function fence(
  store: ObjectStore,
  prefix: string,
  head: Snapshot,
  clock: Clock,
  random: Random,
): Promise<boolean> {
  const outcome = await createEmptyCommit(store, prefix, head, clock, random, { fence: true });
  return outcome.won;
}

/**
 * Create commit `head + 1` as a commit that changes no page, marked `mark`: a fence, or a
 * writer's turn (see turn.ts). One create-only PUT, and one GET to make sure the number had not
 * been collected: a record created in collected territory is not part of the history, so it
 * does not stand (`won: false`, no holder).
 */
export async function createEmptyCommit(
  store: ObjectStore,
  prefix: string,
  head: Snapshot,
  clock: Clock,
  random: Random,
  mark: EmptyCommitMark,
): Promise<CreateOutcome> {
  const record: CommitRecord = {
    seq: head.seq + 1,
    txid: randomHex(random, 8),
    time: clock.now(),
    pageSize: head.map.pageSize,
    pageCount: head.map.pageCount,
    checkpoint: head.checkpointSeq,
    pages: [],
    ...mark,
  };
  const outcome = await createWithKnownOutcome(store, prefix, record);
  if (!outcome.won || !(await collectedPast(store, prefix, record.seq))) return outcome;
  return { won: false, holder: undefined, cause: undefined };
}

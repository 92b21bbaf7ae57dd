import { InvalidArgumentError, NotFoundError, SnapshotExpiredError } from '../errors.js';
import { markerKey, normalizePrefix, type CommitRecord } from '../format/index.js';
import { getIfExists } from '../store/get-if-exists.js';
import type { ObjectStore } from '../store/types.js';
import {
  checkHintedCheckpoint,
  readCheckpointHint,
  readCommit,
  readOldestRetained,
} from './commit-log.js';
import type { CommitInfo } from './types.js';

/** Commit records fetched in parallel per round trip when listing the log. */
const LOG_BATCH = 32;

/** Where a database's retained history starts and ends. */
export interface HistoryRange {
  /** The oldest commit whose record still exists (0 when there is none). */
  oldest: number;
  /** The newest commit (0 for a database without commits). */
  head: number;
}

/**
 * The retained range of commits, without listing: start from the checkpoint hint and the
 * `oldest-retained` record (both name commits that exist), then double the step until a
 * record is missing and bisect — about 2·log2(distance) GETs, whatever the history's length.
 * `NOT_FOUND` when there is no database.
 */
export async function historyRange(store: ObjectStore, prefix: string): Promise<HistoryRange> {
  prefix = normalizePrefix(prefix);
  const [marker, hint, oldest] = await Promise.all([
    getIfExists(store, markerKey(prefix)),
    readCheckpointHint(store, prefix),
    readOldestRetained(store, prefix),
  ]);
  if (!marker) throw new NotFoundError(prefix, `${store.location} (no database)`);
  await checkHintedCheckpoint(store, prefix, hint);
  const exists = async (seq: number) => (await readCommit(store, prefix, seq)) !== undefined;
  let known = Math.max(hint, oldest);
  let step = 1;
  while (await exists(known + step)) {
    known += step;
    step *= 2;
  }
  // known exists (or is 0), known + step does not: bisect between them.
  let missing = known + step;
  while (missing - known > 1) {
    const middle = Math.floor((known + missing) / 2);
    if (await exists(middle)) known = middle;
    else missing = middle;
  }
  const head = known;
  return { oldest: head === 0 ? 0 : Math.max(1, oldest), head };
}

/**
 * The newest commit made at or before `time` (epoch ms), by binary search over the commit
 * records' times (each record's time comes from its writer's clock): about log2(commits) GETs.
 * 0 when `time` is before the first commit; `SNAPSHOT_EXPIRED` when the commits of that time
 * have been collected.
 */
export async function commitAtTime(
  store: ObjectStore,
  prefix: string,
  time: number,
): Promise<number> {
  prefix = normalizePrefix(prefix);
  const { oldest, head } = await historyRange(store, prefix);
  if (head === 0) return 0;
  const first = await readCommit(store, prefix, oldest);
  if (!first || time < first.time) {
    if (oldest <= 1 && first) return 0;
    throw new SnapshotExpiredError(
      Math.max(0, oldest - 1),
      `no retained commit of database "${prefix}" in ${store.location} is as old as ` +
        `${new Date(time).toISOString()}: the oldest retained one is commit ${oldest}` +
        (first ? `, made at ${new Date(first.time).toISOString()}` : ''),
      oldest,
    );
  }
  // Invariant: time(lo) <= time; hi is past the answer.
  let lo = oldest;
  let hi = head + 1;
  while (hi - lo > 1) {
    const middle = Math.floor((lo + hi) / 2);
    const record = await readCommit(store, prefix, middle);
    if (record && record.time <= time) lo = middle;
    else hi = middle;
  }
  return lo;
}

/**
 * The commits of a database, newest first: at most `limit` of them, from the head back to
 * the oldest retained one.
 */
export async function listCommits(
  store: ObjectStore,
  prefix: string,
  limit = Infinity,
): Promise<CommitInfo[]> {
  prefix = normalizePrefix(prefix);
  const { oldest, head } = await historyRange(store, prefix);
  const out: CommitInfo[] = [];
  for (let next = head; next >= oldest && next > 0 && out.length < limit;) {
    const count = Math.min(LOG_BATCH, next - oldest + 1, limit - out.length);
    const seqs = Array.from({ length: count }, (_, i) => next - i);
    const records = await Promise.all(seqs.map((seq) => readCommit(store, prefix, seq)));
    for (const record of records) {
      // Collected while we read: the rest is older still.
      if (!record) return out;
      out.push(commitInfo(record));
    }
    next -= count;
  }
  return out;
}

function commitInfo(record: CommitRecord): CommitInfo {
  return {
    seq: record.seq,
    txid: record.txid,
    time: record.time,
    pageSize: record.pageSize,
    pageCount: record.pageCount,
    changedPages: record.pages.length,
  };
}

/**
 * The commit number `at` (a volume's `at` option) stands for: itself, or the newest commit
 * made by that time.
 */
export async function commitNumberAt(
  store: ObjectStore,
  prefix: string,
  at: number | Date,
): Promise<number> {
  if (at instanceof Date) {
    if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('at is an invalid Date');
    return commitAtTime(store, prefix, at.getTime());
  }
  if (!(Number.isSafeInteger(at) && at >= 0)) {
    throw new InvalidArgumentError(
      `at must be a commit number (a whole number ≥ 0) or a Date, not ${String(at)}`,
    );
  }
  return at;
}

import { CorruptError, NotADatabaseError, NotFoundError, SnapshotExpiredError } from '../errors.js';
import {
  checkpointKey,
  commitKey,
  databasePrefix,
  decodeCheckpoint,
  decodeCheckpointHint,
  decodeCommitRecord,
  decodeMarker,
  decodeOldestRetained,
  latestCheckpointKey,
  markerKey,
  oldestRetainedKey,
  PageMap,
  type CommitRecord,
} from '../format/index.js';
import { getIfExists } from '../store/get-if-exists.js';
import { PROBE_KEY_MARK } from '../store/probe.js';
import type { ObjectStore } from '../store/types.js';

/** A commit and the page map it produced: what a reader pins. */
export interface Snapshot {
  seq: number;
  txid: string;
  time: number;
  changedPages: number;
  /** Newest checkpoint known when this snapshot was made. */
  checkpointSeq: number;
  map: PageMap;
  /** How long the head reserves the next commit for its maker, when it is a turn (turn.ts). */
  turn?: number;
}

/** Commit records fetched in parallel per round trip while looking for the head. */
const PROBE_BATCH = 4;

export const EMPTY_SNAPSHOT: Snapshot = {
  seq: 0,
  txid: '',
  time: 0,
  changedPages: 0,
  checkpointSeq: 0,
  map: PageMap.empty(),
};

/** The commit record `seq`, or undefined when it does not exist (yet). */
export async function readCommit(
  store: ObjectStore,
  prefix: string,
  seq: number,
): Promise<CommitRecord | undefined> {
  const key = commitKey(prefix, seq);
  const bytes = await getIfExists(store, key);
  return bytes && decodeCommitRecord(key, bytes);
}

/**
 * Open a database's head without listing: the marker, the checkpoint hint and
 * `oldest-retained` in parallel, then the checkpoint at the later of those two and the commit
 * records after it. (`oldest-retained` names a checkpoint too; it is ahead of the hint only
 * when a slow writer moved the hint back behind a collection, and then the records after the
 * hint are gone.) `marker` is undefined for a prefix
 * that holds no database yet (it is created by its first commit); such a prefix must be
 * empty, which costs one LIST unless the caller checked that already (`verifyEmpty`).
 */
export async function loadHead(
  store: ObjectStore,
  prefix: string,
  checkpointInterval: number,
  verifyEmpty = true,
): Promise<{ marker: Uint8Array | undefined; snapshot: Snapshot }> {
  const [marker, hint, floor] = await Promise.all([
    getIfExists(store, markerKey(prefix)),
    getIfExists(store, latestCheckpointKey(prefix)),
    readOldestRetained(store, prefix),
  ]);
  if (!marker) {
    const found = verifyEmpty ? await firstObject(store, prefix) : undefined;
    if (found === undefined) return { marker: undefined, snapshot: EMPTY_SNAPSHOT };
    // Another writer may have created the database since the marker was read: it writes the
    // marker before anything else.
    if (await getIfExists(store, markerKey(prefix))) {
      return loadHead(store, prefix, checkpointInterval, false);
    }
    throw new NotADatabaseError(
      `"${prefix}" in ${store.location} is not an s3lite database: it holds objects ` +
        `(such as "${found}") but no s3lite marker`,
    );
  }
  decodeMarker(markerKey(prefix), marker);
  const hinted = hint ? decodeCheckpointHint(latestCheckpointKey(prefix), hint) : 0;
  // GC writes a checkpoint at its floor, unless the floor is commit 1 (replayed from empty).
  const from = Math.max(hinted, floor > 1 ? floor : 0);
  return {
    marker,
    snapshot: await catchUp(
      store,
      prefix,
      await loadCheckpoint(store, prefix, from),
      checkpointInterval,
    ),
  };
}

/** The snapshot at checkpoint `seq` (0: the empty database). */
export async function loadCheckpoint(
  store: ObjectStore,
  prefix: string,
  seq: number,
): Promise<Snapshot> {
  const snapshot = await tryLoadCheckpoint(store, prefix, seq);
  if (!snapshot) throw hintedCheckpointMissing(prefix, seq);
  return snapshot;
}

/**
 * Check, with one HEAD, that the checkpoint the hint names exists, as opening the database
 * does by loading it: a hint ahead of the head (forged, or its checkpoint deleted) is
 * corruption whoever reads it, never an empty history.
 */
export async function checkHintedCheckpoint(
  store: ObjectStore,
  prefix: string,
  seq: number,
): Promise<void> {
  if (seq === 0) return;
  try {
    await store.head(checkpointKey(prefix, seq));
  } catch (error) {
    if (error instanceof NotFoundError) throw hintedCheckpointMissing(prefix, seq);
    throw error;
  }
}

function hintedCheckpointMissing(prefix: string, seq: number): CorruptError {
  return new CorruptError(
    checkpointKey(prefix, seq),
    'the checkpoint named by the hint (latest-checkpoint) is missing',
  );
}

/** The snapshot at checkpoint `seq`, or undefined when that checkpoint does not exist. */
export async function tryLoadCheckpoint(
  store: ObjectStore,
  prefix: string,
  seq: number,
): Promise<Snapshot | undefined> {
  if (seq === 0) return EMPTY_SNAPSHOT;
  const key = checkpointKey(prefix, seq);
  const bytes = await getIfExists(store, key);
  if (!bytes) return undefined;
  const checkpoint = decodeCheckpoint(key, bytes);
  return {
    ...EMPTY_SNAPSHOT,
    seq: checkpoint.seq,
    checkpointSeq: checkpoint.seq,
    map: checkpoint.map,
  };
}

/** The checkpoint the `latest-checkpoint` hint names (0 when there is no hint). */
export async function readCheckpointHint(store: ObjectStore, prefix: string): Promise<number> {
  const bytes = await getIfExists(store, latestCheckpointKey(prefix));
  return bytes ? decodeCheckpointHint(latestCheckpointKey(prefix), bytes) : 0;
}

/** The oldest commit garbage collection kept, by its `oldest-retained` record (0: none). */
export async function readOldestRetained(store: ObjectStore, prefix: string): Promise<number> {
  const bytes = await getIfExists(store, oldestRetainedKey(prefix));
  return bytes ? decodeOldestRetained(oldestRetainedKey(prefix), bytes) : 0;
}

/**
 * Whether garbage collection has collected commit `seq`: `oldest-retained` past it (GC raises
 * it before deleting any record below it). One GET.
 */
export async function collectedPast(
  store: ObjectStore,
  prefix: string,
  seq: number,
): Promise<boolean> {
  return (await readOldestRetained(store, prefix)) > seq;
}

/**
 * Apply every commit after `snapshot`, probing a few sequence numbers per round trip until
 * one is missing (`firstBatch` 1: a reader that expects no news spends one GET to learn so).
 * When the records show a checkpoint far ahead, jump to it instead of replaying everything up
 * to it.
 *
 * A missing record proves that the snapshot is the head only while the snapshot is recent:
 * garbage collection may have deleted the records after an old one (see docs/history.md).
 * With `verify`, the checkpoint hint is read along with the first probes, and a hint beyond
 * the last record found means those records were collected: catching up continues from the
 * hint's checkpoint. GC never deletes records after the checkpoint the hint names.
 *
 * Gaps are corruption: a missing record with a later one present, and no hint past it (so GC
 * did not collect it), still missing when read again after that, is `CorruptError` naming the
 * missing key. The record one past the first
 * missing one is always probed (in the same round trip, or one more GET when the miss ends a
 * batch), except by a trusted reader's one-GET probe (`firstBatch` 1 without `verify`): it saw
 * the head moments ago, and GC never removes records that young (docs/FORMAT.md).
 */
export async function catchUp(
  store: ObjectStore,
  prefix: string,
  snapshot: Snapshot,
  checkpointInterval: number,
  firstBatch: number = PROBE_BATCH,
  verify = false,
): Promise<Snapshot> {
  let current = snapshot;
  let hint: number | undefined;
  for (let first = true; ; first = false) {
    const batch = first ? (verify ? Math.max(firstBatch, 2) : firstBatch) : PROBE_BATCH;
    const seqs = Array.from({ length: batch }, (_, i) => current.seq + 1 + i);
    const [records, hinted] = await Promise.all([
      Promise.all(seqs.map((seq) => readCommit(store, prefix, seq))),
      first && verify ? readCheckpointHint(store, prefix) : undefined,
    ]);
    hint ??= hinted;
    const newest = records.reduce((max, r) => Math.max(max, r?.checkpoint ?? 0), 0);
    if (newest > current.seq + checkpointInterval) {
      current = await jumpTo(store, prefix, current, newest);
      continue;
    }
    const missing = records.findIndex((record) => !record);
    for (const record of missing < 0 ? records : records.slice(0, missing)) {
      current = applyCommit(current, record as CommitRecord);
    }
    if (missing < 0) continue;
    const trustedProbe = first && batch === 1;
    if (
      !trustedProbe &&
      (await laterRecordExists(store, prefix, records, missing, current.seq + 2))
    ) {
      hint ??= await readCheckpointHint(store, prefix);
      if (hint <= current.seq + 1) {
        // The probes ran in parallel: the miss may predate commits made since. Only a record
        // still missing after a later one was seen is a gap.
        if (await readCommit(store, prefix, current.seq + 1)) continue;
        throw gap(store, prefix, current.seq + 1);
      }
    }
    if (hint === undefined || hint <= current.seq) return current;
    current = await loadCheckpoint(store, prefix, hint);
    hint = undefined;
  }
}

/**
 * Whether a record after `records[missing]`, the first missing one of a batch, exists: the
 * batch tells, unless the miss ends it (then one GET of `pastSeq`, the record after the miss).
 */
async function laterRecordExists(
  store: ObjectStore,
  prefix: string,
  records: Array<CommitRecord | undefined>,
  missing: number,
  pastSeq: number,
): Promise<boolean> {
  if (missing + 1 < records.length) return records.slice(missing + 1).some(Boolean);
  return (await readCommit(store, prefix, pastSeq)) !== undefined;
}

/** The error for commit record `seq` missing between the checkpoint and later records. */
export function gap(store: ObjectStore, prefix: string, seq: number): CorruptError {
  return new CorruptError(
    commitKey(prefix, seq),
    `commit record ${seq} of database "${prefix}" is missing from ${store.location} while ` +
      `later ones exist: the history has a gap (a record deleted by hand, or lost), so the ` +
      `database cannot be read past commit ${seq - 1} without losing the commits after it`,
  );
}

/**
 * The snapshot at checkpoint `seq`, named by a commit record. When GC collected it meanwhile
 * (a reader far behind), the hint's checkpoint, which GC keeps, serves instead.
 */
async function jumpTo(
  store: ObjectStore,
  prefix: string,
  current: Snapshot,
  seq: number,
): Promise<Snapshot> {
  const named = await tryLoadCheckpoint(store, prefix, seq);
  if (named) return named;
  const hinted = await readCheckpointHint(store, prefix);
  if (hinted > current.seq) return loadCheckpoint(store, prefix, hinted);
  throw new CorruptError(checkpointKey(prefix, seq), 'the checkpoint named by a commit is missing');
}

/** The snapshot after one more commit. */
export function applyCommit(snapshot: Snapshot, record: CommitRecord): Snapshot {
  return {
    seq: record.seq,
    txid: record.txid,
    time: record.time,
    changedPages: record.pages.length,
    checkpointSeq: Math.max(snapshot.checkpointSeq, record.checkpoint),
    map: snapshot.map.withCommit(record),
    ...(record.turn === undefined ? {} : { turn: record.turn }),
  };
}

/**
 * The first object under the prefix, if any, not counting the scratch keys of conditional-write
 * probes (another opener may be creating the database right now). A prefix without a marker
 * may be used for a new database only if there is none.
 */
async function firstObject(store: ObjectStore, prefix: string): Promise<string | undefined> {
  const under = databasePrefix(prefix);
  const { objects } = await store.list(under, { maxKeys: 10 });
  return objects.find((o) => !o.key.startsWith(`${under}${PROBE_KEY_MARK}`))?.key;
}

/**
 * The snapshot at commit `seq`, for reading the past: the nearest checkpoint at or before it
 * (the one its record names, the one GC left at the oldest retained commit, or the hint's),
 * then the commits from there up to `seq`, fetched in parallel. `SNAPSHOT_EXPIRED` when GC
 * has collected the commit, `NOT_FOUND` when it was never made.
 */
export async function loadCommit(
  store: ObjectStore,
  prefix: string,
  seq: number,
): Promise<Snapshot> {
  const [markerBytes, target, oldest, hint] = await Promise.all([
    getIfExists(store, markerKey(prefix)),
    seq === 0 ? undefined : readCommit(store, prefix, seq),
    readOldestRetained(store, prefix),
    readCheckpointHint(store, prefix),
  ]);
  if (!markerBytes) throw new NotFoundError(prefix, `${store.location} (no database)`);
  decodeMarker(markerKey(prefix), markerBytes);
  if (seq === 0) return EMPTY_SNAPSHOT;
  if (!target) {
    if (seq < oldest) throw expired(store, prefix, seq, oldest);
    if (await readCommit(store, prefix, seq + 1)) throw await missingRecord(store, prefix, seq);
    throw new NotFoundError(commitKey(prefix, seq), `${store.location} (no commit ${seq})`);
  }
  const bases = [...new Set([target.checkpoint, oldest, hint, 0])]
    .filter((base) => base <= seq)
    .sort((a, b) => b - a);
  for (const baseSeq of bases) {
    const base = await tryLoadCheckpoint(store, prefix, baseSeq);
    if (!base) continue;
    if (base.seq === seq) {
      return { ...base, txid: target.txid, time: target.time, changedPages: target.pages.length };
    }
    const between = Array.from({ length: seq - base.seq - 1 }, (_, i) => base.seq + 1 + i);
    const records = await Promise.all(between.map((n) => readCommit(store, prefix, n)));
    let snapshot = base;
    for (const [i, record] of [...records, target].entries()) {
      if (!record) throw await missingRecord(store, prefix, base.seq + 1 + i);
      snapshot = applyCommit(snapshot, record);
    }
    return snapshot;
  }
  throw expired(store, prefix, seq, oldest);
}

/**
 * The error for commit record `seq`, missing while a later one exists: collected (GC raised
 * `oldest-retained` past it, maybe while we read), or else a gap.
 */
export async function missingRecord(
  store: ObjectStore,
  prefix: string,
  seq: number,
): Promise<Error> {
  const oldest = await readOldestRetained(store, prefix);
  return seq < oldest ? expired(store, prefix, seq, oldest) : gap(store, prefix, seq);
}

/** The error for a commit that garbage collection has removed. */
export function expired(
  store: ObjectStore,
  prefix: string,
  seq: number,
  oldestRetained?: number,
): SnapshotExpiredError {
  const oldest = oldestRetained ? ` (the oldest retained commit is ${oldestRetained})` : '';
  return new SnapshotExpiredError(
    seq,
    `commit ${seq} of database "${prefix}" in ${store.location} has been removed by garbage ` +
      `collection${oldest}; reopen at the head or at a retained commit`,
    oldestRetained || undefined,
  );
}

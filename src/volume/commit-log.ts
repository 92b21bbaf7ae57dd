import { CorruptError, NotADatabaseError, NotFoundError } from '../errors.js';
import {
  checkpointKey,
  commitKey,
  databasePrefix,
  decodeCheckpoint,
  decodeCheckpointHint,
  decodeCommitRecord,
  decodeMarker,
  latestCheckpointKey,
  markerKey,
  PageMap,
  type CommitRecord,
} from '../format/index.js';
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
  try {
    const record = decodeCommitRecord(key, (await store.get(key)).body);
    if (record.seq !== seq) throw new CorruptError(key, `holds commit ${record.seq}`);
    return record;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

async function getOrUndefined(store: ObjectStore, key: string): Promise<Uint8Array | undefined> {
  try {
    return (await store.get(key)).body;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * Open a database's head without listing: the marker and the checkpoint hint in parallel,
 * then the checkpoint and the commit records after it. `marker` is undefined for a prefix
 * that holds no database yet (it is created by its first commit); such a prefix must be
 * empty, which costs one LIST unless the caller checked that already (`verifyEmpty`).
 */
export async function loadHead(
  store: ObjectStore,
  prefix: string,
  checkpointInterval: number,
  verifyEmpty = true,
): Promise<{ marker: Uint8Array | undefined; snapshot: Snapshot }> {
  const [marker, hint] = await Promise.all([
    getOrUndefined(store, markerKey(prefix)),
    getOrUndefined(store, latestCheckpointKey(prefix)),
  ]);
  if (!marker) {
    if (verifyEmpty) await ensureEmpty(store, prefix);
    return { marker: undefined, snapshot: EMPTY_SNAPSHOT };
  }
  decodeMarker(markerKey(prefix), marker);
  const from = hint ? decodeCheckpointHint(latestCheckpointKey(prefix), hint) : 0;
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
  if (seq === 0) return EMPTY_SNAPSHOT;
  const key = checkpointKey(prefix, seq);
  const bytes = await getOrUndefined(store, key);
  if (!bytes) throw new CorruptError(key, 'the checkpoint named by the hint is missing');
  const checkpoint = decodeCheckpoint(key, bytes);
  return {
    ...EMPTY_SNAPSHOT,
    seq: checkpoint.seq,
    checkpointSeq: checkpoint.seq,
    map: checkpoint.map,
  };
}

/**
 * Apply every commit after `snapshot`, probing a few sequence numbers per round trip until
 * one is missing (`firstBatch` 1: a reader that expects no news spends one GET to learn so). When the records show a checkpoint far ahead, jump to it instead of
 * replaying everything up to it.
 */
export async function catchUp(
  store: ObjectStore,
  prefix: string,
  snapshot: Snapshot,
  checkpointInterval: number,
  firstBatch: number = PROBE_BATCH,
): Promise<Snapshot> {
  let current = snapshot;
  for (let batch = firstBatch; ; batch = PROBE_BATCH) {
    const seqs = Array.from({ length: batch }, (_, i) => current.seq + 1 + i);
    const records = await Promise.all(seqs.map((seq) => readCommit(store, prefix, seq)));
    const newest = records.reduce((max, r) => Math.max(max, r?.checkpoint ?? 0), 0);
    if (newest > current.seq + checkpointInterval) {
      current = await loadCheckpoint(store, prefix, newest);
      continue;
    }
    for (const record of records) {
      if (!record) return current;
      current = applyCommit(current, record);
    }
  }
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
  };
}

/** A prefix without a marker may be used for a new database only if nothing is there. */
async function ensureEmpty(store: ObjectStore, prefix: string): Promise<void> {
  const { objects } = await store.list(databasePrefix(prefix), { maxKeys: 1 });
  const first = objects[0];
  if (first) {
    throw new NotADatabaseError(
      `"${prefix}" in ${store.location} is not an s3lite database: it holds objects ` +
        `(such as "${first.key}") but no s3lite marker`,
    );
  }
}

/**
 * The snapshot at commit `seq`, for reading the past: the checkpoint that commit names, then
 * the commits from there up to `seq`, fetched in parallel.
 */
export async function loadCommit(
  store: ObjectStore,
  prefix: string,
  seq: number,
): Promise<Snapshot> {
  const markerBytes = await getOrUndefined(store, markerKey(prefix));
  if (!markerBytes) throw new NotFoundError(prefix, `${store.location} (no database)`);
  decodeMarker(markerKey(prefix), markerBytes);
  if (seq === 0) return EMPTY_SNAPSHOT;
  const target = await readCommit(store, prefix, seq);
  if (!target)
    throw new NotFoundError(commitKey(prefix, seq), `${store.location} (no commit ${seq})`);
  const base = await loadCheckpoint(store, prefix, target.checkpoint);
  const missing = Array.from({ length: seq - base.seq - 1 }, (_, i) => base.seq + 1 + i);
  const records = await Promise.all(missing.map((n) => readCommit(store, prefix, n)));
  let snapshot = base;
  for (const [i, record] of [...records, target].entries()) {
    if (!record)
      throw new CorruptError(commitKey(prefix, base.seq + 1 + i), 'commit record missing');
    snapshot = applyCommit(snapshot, record);
  }
  return snapshot;
}

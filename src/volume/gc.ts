import { realClock, realRandom, type Clock, type Random } from '../clock.js';
import {
  checkpointKey,
  encodeCheckpoint,
  encodeCheckpointHint,
  latestCheckpointKey,
  normalizePrefix,
  pageKey,
} from '../format/index.js';
import type { ObjectInfo, ObjectStore } from '../store/types.js';
import {
  loadCommit,
  loadHead,
  missingRecord,
  readCheckpointHint,
  readCommit,
  tryLoadCheckpoint,
  type Snapshot,
} from './commit-log.js';
import { fence } from './fence.js';
import { raiseOldestRetained } from './floor.js';
import { takeInventory, type Inventory } from './inventory.js';
import { oldestRetained, retentionPolicy, type RetentionOptions } from './retention.js';

/** Options of a garbage collection: what to keep, and whether to only report. */
export interface GcOptions extends RetentionOptions {
  /** Find and report what would be removed, and change nothing. */
  dryRun?: boolean;
  /** Commits between two checkpoints, as the database's writers use (default 32). */
  checkpointInterval?: number;
  /** The time that ages are measured by, against the store's object dates (default: real). */
  clock?: Clock;
  /** Randomness for the transaction id of a fence (default: real). For simulations. */
  random?: Random;
  signal?: AbortSignal;
}

/** What a garbage collection did (or, with `dryRun`, would do). */
export interface GcReport {
  dryRun: boolean;
  /** The head when the collection ran. */
  head: number;
  /** The oldest commit kept: every commit from here to the head can still be opened. */
  oldestRetained: number;
  /** Checkpoints written so that the kept commits stay cheap to open. */
  checkpointsWritten: number[];
  /** Objects deleted, by kind. */
  removed: { commits: number; checkpoints: number; pages: number };
  /** Bytes of the objects deleted. */
  bytesFreed: number;
  /** Page objects no kept commit names, left because they are younger than the grace period. */
  youngPagesKept: number;
  /**
   * The fence commit made before deleting page objects of transactions that no commit names
   * (so that none of them can commit any more), if one was needed and made.
   */
  fence?: number;
  /** Bytes under the prefix before and after. */
  storedBytesBefore: number;
  storedBytesAfter: number;
  /** Size of the database at the head (pages × page size). */
  liveBytes: number;
}

/** Commit numbers → transaction ids, remembered between collections of one database. */
export type TxidMemo = Map<number, string>;

const DEFAULT_CHECKPOINT_INTERVAL = 32;

/**
 * Delete what no retained commit needs: commit records and checkpoints before the oldest
 * retained commit, page objects that no retained commit names, and page objects of writers
 * that never committed once they are older than the grace period. Safe while other processes
 * read and write (docs/history.md gives the argument); costs one LIST of the prefix, GETs of
 * the retained commit records (remembered in `memo` from one run to the next), and batched
 * deletes.
 *
 * Order matters: the checkpoint the oldest retained commit needs and the hint are written
 * first, then `oldest-retained`, then commit records, then checkpoints, and page objects last,
 * so a reader who finds a page gone and its commit's record gone too knows its snapshot was
 * collected (`SNAPSHOT_EXPIRED`), and a record still there means corruption.
 */
export async function collectGarbage(
  store: ObjectStore,
  prefix: string,
  options: GcOptions = {},
  memo: TxidMemo = new Map(),
): Promise<GcReport> {
  prefix = normalizePrefix(prefix);
  const policy = retentionPolicy(options);
  const interval = options.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL;
  const dryRun = options.dryRun ?? false;
  const signal = options.signal;
  const clock = options.clock ?? realClock;
  const now = clock.now();
  // Read before listing: GC keeps every record after the checkpoint it names (openers need them).
  const hint = await readCheckpointHint(store, prefix);
  const inventory = await takeInventory(store, prefix, signal);
  const { marker, snapshot: head } = await loadHead(store, prefix, interval);
  const report: GcReport = {
    dryRun,
    head: head.seq,
    oldestRetained: head.seq,
    checkpointsWritten: [],
    removed: { commits: 0, checkpoints: 0, pages: 0 },
    bytesFreed: 0,
    youngPagesKept: 0,
    storedBytesBefore: inventory.bytes,
    storedBytesAfter: inventory.bytes,
    liveBytes: head.map.pageCount * head.map.pageSize,
  };
  if (!marker) return report;

  const write = async (key: string, body: Uint8Array) => {
    report.storedBytesAfter += body.byteLength;
    if (!dryRun) await store.put(key, body, { signal });
  };
  const checkpoints = new Set(inventory.checkpoints.keys());
  const writeCheckpoint = async (snapshot: Snapshot) => {
    await write(checkpointKey(prefix, snapshot.seq), encodeCheckpoint(snapshot.seq, snapshot.map));
    checkpoints.add(snapshot.seq);
    report.checkpointsWritten.push(snapshot.seq);
  };

  const stored = new Map([...inventory.commits].map(([seq, o]) => [seq, modified(o, now)]));
  // What an earlier collection removed is gone: keep from the oldest record left at the least.
  let earliest = head.seq;
  for (const seq of stored.keys()) earliest = Math.min(earliest, seq);
  const wanted = Math.max(oldestRetained(head.seq, stored, now, policy), earliest);
  if (wanted > Math.max(hint, 1)) {
    // Openers start at the hint's checkpoint (or at commit 1 without one) and need every record
    // after it: move the hint up to the head first.
    if (!checkpoints.has(head.seq)) await writeCheckpoint(head);
    await write(latestCheckpointKey(prefix), encodeCheckpointHint(head.seq));
  }
  const floor = await floorSnapshot(wanted);
  const floorSeq = floor?.seq ?? wanted;
  report.oldestRetained = floorSeq;
  const live = await liveSet(store, prefix, floor, head, memo);
  const doomedCommits = [...inventory.commits].filter(([seq]) => seq < floorSeq);
  const doomedCheckpoints = [...inventory.checkpoints].filter(([seq]) => seq < floorSeq);
  const { doomedPages, young } = unreferencedPages(inventory, live, now - policy.graceMs);
  report.youngPagesKept = young;
  // Read before the records go: which transactions whose pages are doomed did commit.
  const committed = await committedTxids(store, prefix, live.txids, doomedCommits, memo);

  if (!dryRun) await raiseOldestRetained(store, prefix, floorSeq, signal);
  await remove(
    doomedCommits.map(([, o]) => o),
    'commits',
  );
  await remove(
    doomedCheckpoints.map(([, o]) => o),
    'checkpoints',
  );
  // Pages of transactions no commit is known to name may belong to a writer still at work:
  // fence it off first, or leave them for a later run.
  const unnamed = [...doomedPages.keys()].filter((txid) => !committed.has(txid));
  if (unnamed.length > 0 && !dryRun) {
    if (await fence(store, prefix, head, clock, options.random ?? realRandom)) {
      report.fence = head.seq + 1;
    } else {
      for (const txid of unnamed) doomedPages.delete(txid);
    }
  }
  // Writers that committed since the head was read: their pages are live after all.
  for (const txid of await committedSince(store, prefix, head.seq)) doomedPages.delete(txid);
  await remove([...doomedPages.values()].flat(), 'pages');
  for (const seq of memo.keys()) if (seq <= floorSeq) memo.delete(seq);
  return report;

  /**
   * The kept commits must stay cheap to open: the snapshot at the oldest one kept, from a
   * checkpoint at or a little before `wanted`, or else written there. Undefined when every
   * commit is kept (`wanted` 1 or less).
   */
  async function floorSnapshot(wanted: number): Promise<Snapshot | undefined> {
    if (wanted <= 1) return undefined;
    const near = await checkpointAtOrBefore(
      store,
      prefix,
      { floor: wanted, earliest, interval },
      checkpoints,
      head,
    );
    if (near) return near;
    const snapshot = wanted === head.seq ? head : await loadCommit(store, prefix, wanted);
    await writeCheckpoint(snapshot);
    return snapshot;
  }

  async function remove(doomed: ObjectInfo[], kind: keyof GcReport['removed']): Promise<void> {
    if (doomed.length === 0) return;
    if (!dryRun)
      await store.deleteMany(
        doomed.map((o) => o.key),
        { signal },
      );
    const bytes = doomed.reduce((sum, o) => sum + o.size, 0);
    report.removed[kind] += doomed.length;
    report.bytesFreed += bytes;
    report.storedBytesAfter -= bytes;
  }
}

/** When an object was stored, in epoch ms; an object without a date counts as brand new. */
function modified(object: ObjectInfo, now: number): number {
  return object.lastModified?.getTime() ?? now;
}

/**
 * A checkpoint at `floor`, or one a little before it (fewer than `interval` commits, so that
 * opening the kept commits after it stays as cheap as usual): keeping a few more commits then
 * saves writing a checkpoint. Only checkpoints from `earliest` on count: the records after an
 * older one are gone. Undefined when there is none within reach.
 */
async function checkpointAtOrBefore(
  store: ObjectStore,
  prefix: string,
  { floor, earliest, interval }: { floor: number; earliest: number; interval: number },
  checkpoints: ReadonlySet<number>,
  head: Snapshot,
): Promise<Snapshot | undefined> {
  if (floor <= 1) return undefined;
  let best = 0;
  for (const seq of checkpoints) if (seq <= floor && seq >= earliest && seq > best) best = seq;
  if (best === 0 || floor - best >= interval) return undefined;
  if (best === head.seq) return head;
  return tryLoadCheckpoint(store, prefix, best);
}

/**
 * What the kept commits need: the page objects of the floor's page map, and every page object
 * of the transactions that made the commits after it (recognised by transaction id).
 */
async function liveSet(
  store: ObjectStore,
  prefix: string,
  from: Snapshot | undefined,
  head: Snapshot,
  memo: TxidMemo,
): Promise<{ keys: Set<string>; txids: Set<string> }> {
  const keys = new Set<string>();
  const txids = new Set<string>();
  // Without a floor snapshot every commit is kept, and the writer of each one is live.
  if (from) {
    for (const [pageNo, entry] of from.map.entries()) {
      keys.add(pageKey(prefix, entry.txid, pageNo, entry.crc));
    }
  }
  const first = from ? from.seq + 1 : 1;
  const unknown: number[] = [];
  for (let seq = first; seq <= head.seq; seq++) {
    const txid = memo.get(seq);
    if (txid === undefined) unknown.push(seq);
    else txids.add(txid);
  }
  const records = await Promise.all(unknown.map((seq) => readCommit(store, prefix, seq)));
  for (const [i, record] of records.entries()) {
    // Gone since the head was loaded: a concurrent collection moved past it, or a gap. Either
    // way this run's view is stale or wrong: stop before deleting anything.
    if (!record) throw await missingRecord(store, prefix, unknown[i] ?? 0);
    memo.set(record.seq, record.txid);
    txids.add(record.txid);
  }
  return { keys, txids };
}

/**
 * Page objects that no kept commit needs, by transaction, leaving alone every transaction that
 * stored an object after `youngSince` (a writer may still be about to commit them).
 */
function unreferencedPages(
  inventory: Inventory,
  live: { keys: Set<string>; txids: Set<string> },
  youngSince: number,
): { doomedPages: Map<string, ObjectInfo[]>; young: number } {
  const doomedPages = new Map<string, ObjectInfo[]>();
  let young = 0;
  for (const [txid, objects] of inventory.pages) {
    if (live.txids.has(txid)) continue;
    const unreferenced = objects.filter((o) => !live.keys.has(o.key));
    if (unreferenced.length === 0) continue;
    const newest = objects.reduce((max, o) => Math.max(max, modified(o, Infinity)), 0);
    if (newest >= youngSince) young += unreferenced.length;
    else doomedPages.set(txid, unreferenced);
  }
  return { doomedPages, young };
}

/**
 * Transaction ids known to have committed: those of the kept commits (`live`) and those of the
 * commits being collected, from `memo` or else read before they go (one GET each, once).
 */
async function committedTxids(
  store: ObjectStore,
  prefix: string,
  live: ReadonlySet<string>,
  doomedCommits: Array<[number, ObjectInfo]>,
  memo: TxidMemo,
): Promise<Set<string>> {
  const committed = new Set(live);
  const unknown: number[] = [];
  for (const [seq] of doomedCommits) {
    const txid = memo.get(seq);
    if (txid === undefined) unknown.push(seq);
    else committed.add(txid);
  }
  const records = await Promise.all(unknown.map((seq) => readCommit(store, prefix, seq)));
  for (const record of records) if (record) committed.add(record.txid);
  return committed;
}

/** Transaction ids of the commits made after `seq`. */
async function committedSince(store: ObjectStore, prefix: string, seq: number): Promise<string[]> {
  const txids: string[] = [];
  for (let next = seq + 1; ; next++) {
    const record = await readCommit(store, prefix, next);
    if (!record) return txids;
    txids.push(record.txid);
  }
}

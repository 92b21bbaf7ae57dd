import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { realClock, realRandom } from '../../src/clock.js';
import {
  checkpointKey,
  checksum,
  encodeOldestRetained,
  latestCheckpointKey,
  markerKey,
  oldestRetainedKey,
  pageKey,
} from '../../src/format/index.js';
import { FaultInjectingStore, IgnoreConditionalWritesStore } from '../../src/testing/index.js';
import type { ObjectStore } from '../../src/store/types.js';
import { BackgroundWork } from '../../src/volume/background-work.js';
import { EMPTY_SNAPSHOT, readCommit, type Snapshot } from '../../src/volume/commit-log.js';
import { CommitProtocol } from '../../src/volume/commit-protocol.js';
import { HEAD_TRUST_MS, HeadTrust } from '../../src/volume/head-trust.js';
import type { CommitContent } from '../../src/volume/transaction.js';
import { emptyVolumeStats } from '../../src/volume/types.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

const P = 4096;
/** Transaction ids, as writers make them (16 hex digits). */
const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';

/** The content of a transaction that wrote page 1, filled with `fill`, and nothing else. */
function onePage(fill: number): CommitContent {
  const page = new Uint8Array(P).fill(fill);
  const crc = checksum(page);
  return { pageSize: P, pageCount: 1, toUpload: [[1, page, crc]], pages: [[1, crc]] };
}

describe.each(STORE_KINDS)('CommitProtocol: %s', (kind) => {
  let area: TestArea;
  let prefix: string;
  beforeEach(() => {
    area = createTestArea(kind);
    prefix = area.prefix.replace(/\/$/, '');
  });
  afterEach(() => area.cleanup());

  /** A protocol as a volume opened on `store` makes it; `seenHeadMsAgo`: when it last saw the head. */
  function protocol(
    options: {
      store?: ObjectStore;
      marker?: Uint8Array;
      checkpointInterval?: number;
      singleWriter?: boolean;
      seenHeadMsAgo?: number;
    } = {},
  ) {
    const store = options.store ?? area.store;
    const stats = emptyVolumeStats();
    const background = new BackgroundWork(store, stats, undefined);
    const trust = new HeadTrust(realClock.monotonic() - (options.seenHeadMsAgo ?? 0));
    const commits = new CommitProtocol(
      store,
      prefix,
      {
        checkpointInterval: options.checkpointInterval ?? 32,
        singleWriter: options.singleWriter ?? false,
        clock: realClock,
        random: realRandom,
      },
      options.marker,
      trust,
      stats,
      background,
      `database "${prefix}"`,
    );
    return { commits, stats };
  }

  /** The keys of the page objects transaction `txid` stored. */
  async function pagesOf(txid: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of area.store.listAll(prefix)) {
      if (object.key.includes(txid)) keys.push(object.key);
    }
    return keys;
  }

  it('creates the marker before any page, then the record: the commit is readable', async () => {
    const { commits } = protocol();
    await commits.beginWrite(EMPTY_SNAPSHOT);
    const snapshot = await commits.commit(EMPTY_SNAPSHOT, A, onePage(1), () => []);
    expect(snapshot.seq).toBe(1);
    expect(snapshot.map.get(1)?.txid).toBe(A);
    expect(commits.marker).toBeDefined();
    expect((await area.store.get(markerKey(prefix))).body).toEqual(commits.marker);
    expect((await readCommit(area.store, prefix, 1))?.txid).toBe(A);
  });

  it('loses a race with ConflictError, counts it, and deletes its own pages only', async () => {
    const first = protocol();
    const winner = await first.commits.commit(EMPTY_SNAPSHOT, A, onePage(1), () => []);
    const second = protocol({ marker: first.commits.marker });
    const early = pageKey(prefix, B, 2, checksum(new Uint8Array(P)));
    await area.store.put(early, new Uint8Array(P));
    const error = await failure(
      second.commits.commit(EMPTY_SNAPSHOT, B, onePage(2), () => [early]),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain(A);
    expect(second.stats.conflicts).toBe(1);
    expect(await pagesOf(B)).toEqual([]);
    expect(await pagesOf(A)).toHaveLength(1);
    expect((await readCommit(area.store, prefix, 1))?.txid).toBe(winner.txid);
  });

  it('refuses to begin a write on a snapshot another writer has moved past, in one round trip', async () => {
    const first = protocol();
    await first.commits.commit(EMPTY_SNAPSHOT, A, onePage(1), () => []);
    const stale = protocol({ marker: first.commits.marker, singleWriter: true });
    area.store.metrics.reset();
    expect((await failure(stale.commits.beginWrite(EMPTY_SNAPSHOT))).code).toBe('CONFLICT');
    // The next record and the one after it (a gap must not pass for the end).
    expect(area.store.metrics.snapshot().requests.get).toBe(2);
    expect(stale.stats.conflicts).toBe(1);
  });

  it('refuses a store that ignores conditional writes, unless single-writer', async () => {
    const careless = new IgnoreConditionalWritesStore(area.store);
    const error = await failure(protocol({ store: careless }).commits.beginWrite(EMPTY_SNAPSHOT));
    expect(error.code).toBe('UNSAFE_STORE');
    await protocol({ store: careless, singleWriter: true }).commits.beginWrite(EMPTY_SNAPSHOT);
  });

  it('does not count a record created on a number that GC had collected', async () => {
    // GC's floor is past commit 1: a create-only PUT of record 1 succeeds on the deleted key.
    await area.store.put(oldestRetainedKey(prefix), encodeOldestRetained(5));
    const { commits, stats } = protocol({ seenHeadMsAgo: 2 * HEAD_TRUST_MS });
    const error = await failure(commits.commit(EMPTY_SNAPSHOT, A, onePage(1), () => []));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('removed by garbage collection');
    expect(stats.conflicts).toBe(1);
    expect(await pagesOf(A)).toEqual([]);
  });

  it('skips the collected-number check while the head is trusted', async () => {
    await area.store.put(oldestRetainedKey(prefix), encodeOldestRetained(5));
    const { commits } = protocol();
    expect((await commits.commit(EMPTY_SNAPSHOT, A, onePage(1), () => [])).seq).toBe(1);
  });

  it('checkpoints every checkpointInterval commits, and names the checkpoint once stored', async () => {
    const { commits } = protocol({ checkpointInterval: 2 });
    let snapshot: Snapshot = EMPTY_SNAPSHOT;
    snapshot = await commits.commit(snapshot, A, onePage(1), () => []);
    expect(await commits.checkpoint(snapshot)).toBe(snapshot);
    snapshot = await commits.commit(snapshot, B, onePage(2), () => []);
    const checkpointed = await commits.checkpoint(snapshot);
    expect(checkpointed.checkpointSeq).toBe(2);
    expect((await area.store.head(checkpointKey(prefix, 2))).size).toBeGreaterThan(0);
    expect((await area.store.head(latestCheckpointKey(prefix))).size).toBeGreaterThan(0);
  });

  it('reports a failed checkpoint as a background error and retries it an interval later', async () => {
    const faulty = new FaultInjectingStore(area.store, { retry: { maxAttempts: 1 } });
    const { commits, stats } = protocol({ store: faulty, checkpointInterval: 1 });
    const first = await commits.commit(EMPTY_SNAPSHOT, A, onePage(1), () => []);
    faulty.inject({ kind: 'error', keys: /checkpoints\// });
    expect(await commits.checkpoint(first)).toBe(first);
    expect(stats.backgroundErrors).toBe(1);
    const second = await commits.commit(first, B, onePage(2), () => []);
    expect((await commits.checkpoint(second)).checkpointSeq).toBe(2);
  });
});

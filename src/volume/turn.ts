import type { Clock, Random } from '../clock.js';
import { MAX_TURN_MS, type CommitRecord } from '../format/index.js';
import type { ObjectStore } from '../store/types.js';
import { applyCommit, type Snapshot } from './commit-log.js';
import { createEmptyCommit } from './fence.js';

/** Commit races a writer loses in a row before it reserves the next commit for itself. */
export const TURN_AFTER_LOST_RACES = 2;
/** A turn, in lost attempts of its maker: time for the holder to catch up, re-run and commit. */
const TURN_ATTEMPTS = 2;
/** Shortest turn, in ms: a fast store still gives the holder time to run SQLite and commit. */
const MIN_TURN_MS = 50;

/**
 * Fair progress among competing writers: a bound on how many commit races one writer loses in
 * a row. Back-off alone cannot give it: the writer that just committed starts its next
 * transaction at once on the newest snapshot, while the writers it beat must first read its
 * commit (and back off), so the same writer can win race after race (with 8 writers some
 * committed once in 150 s while one committed about 100 times).
 *
 * So a writer that has lost {@link TURN_AFTER_LOST_RACES} races in a row takes a turn, at the
 * moment it learns it lost (it has just read the winner's record, one request ahead of the
 * winner's next commit): it creates the next commit itself, a commit that changes no page
 * marked `turn` with how long it reserves the commit after it: two attempts as long as the
 * one it has just lost.
 * The winner's next commit then loses to the turn; every writer that meets the turn (losing a
 * race to it, or finding it at the head when it begins) leaves the next commit to its holder
 * until the turn ends, and the holder re-runs its transaction at once. Competing claims are
 * one create-only PUT each, so exactly one writer holds a turn; a turn whose holder died only
 * delays the others until it ends.
 *
 * Without contention this costs nothing: no writer loses twice in a row, so no turn is taken
 * and no request is added. A turn costs its maker one PUT and one GET, and every other writer
 * one commit record more to read.
 */
export class Turns {
  /** The commit number of this writer's own turn, when it holds one. */
  private own: number | undefined;
  /** Another writer's turn this writer has met, and when (clock.monotonic()). */
  private met: { seq: number; at: number } | undefined;
  private lostInARow = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  /** A commit of this writer landed: its losing streak is over. */
  committed(): void {
    this.lostInARow = 0;
  }

  /**
   * Milliseconds to leave the next commit alone for: what is left of another writer's turn
   * when `head` is one, else 0.
   */
  holdLeft(head: Snapshot): number {
    if (head.turn === undefined || head.seq === this.own) return 0;
    return this.left(head.seq, head.turn);
  }

  /**
   * This writer lost the race for commit `base.seq + 1` to `holder` (undefined when it could
   * not be read); its write transactions take about `attemptMs` to reach their commit. Returns how long to wait before re-running:
   * 0 when it has just taken a turn, the rest of another writer's turn when it met one, and
   * undefined when it should back off as usual. Taking a turn is best effort: the transaction
   * lost whatever happens to it, so its failure only leaves the usual back-off.
   */
  async afterLostRace(
    base: Snapshot,
    holder: CommitRecord | undefined,
    attemptMs: number,
  ): Promise<number | undefined> {
    if (!holder) return undefined;
    if (holder.turn !== undefined) return this.left(holder.seq, holder.turn);
    this.lostInARow += 1;
    if (this.lostInARow < TURN_AFTER_LOST_RACES) return undefined;
    const turn = Math.round(
      Math.min(MAX_TURN_MS, Math.max(MIN_TURN_MS, TURN_ATTEMPTS * attemptMs)),
    );
    const head = applyCommit(base, holder);
    try {
      const outcome = await createEmptyCommit(
        this.store,
        this.prefix,
        head,
        this.clock,
        this.random,
        {
          turn,
        },
      );
      if (outcome.won) {
        this.own = head.seq + 1;
        return 0;
      }
      const other = outcome.holder;
      if (other?.turn !== undefined) return this.left(other.seq, other.turn);
    } catch {
      // Not even an unknown outcome matters here: a turn of ours that did land only makes this
      // writer wait for it like the others, until it ends.
    }
    return undefined;
  }

  /**
   * What is left of the turn at commit `seq`, reserved for `turnMs` from when this writer
   * first met it. Meeting a turn counts as a lost race, once.
   */
  private left(seq: number, turnMs: number): number {
    const now = this.clock.monotonic();
    if (this.met?.seq !== seq) {
      this.met = { seq, at: now };
      this.lostInARow += 1;
    }
    return Math.max(0, this.met.at + turnMs - now);
  }
}

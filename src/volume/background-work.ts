import type { ObjectStore } from '../store/types.js';
import type { VolumeOptions, VolumeStats } from './types.js';

/**
 * A volume's work after its commit points: deleting page objects no commit will name, and
 * automatic garbage collection. All of it is best effort: the commit stands whatever happens
 * here, so a failure is counted in the volume's stats and handed to `onBackgroundError`,
 * never thrown at a transaction.
 */
export class BackgroundWork {
  /** The automatic garbage collection running, if any. */
  private autoGc: Promise<void> | undefined;
  /** Another automatic collection is due when the running one ends. */
  private autoGcAgain = false;

  constructor(
    private readonly store: ObjectStore,
    /** The volume's counters: `backgroundErrors` and `lastBackgroundError` are kept here. */
    private readonly counters: VolumeStats,
    private readonly onBackgroundError: VolumeOptions['onBackgroundError'],
  ) {}

  /**
   * Work after a commit point (checkpoint, hint, clean-up, automatic GC) failed. The commit
   * stands, so the failure is not the transaction's: it is counted and handed to
   * `onBackgroundError`.
   */
  failed(error: unknown): void {
    this.counters.backgroundErrors += 1;
    const failure = error instanceof Error ? error : new Error(String(error));
    this.counters.lastBackgroundError = failure.message;
    try {
      this.onBackgroundError?.(failure);
    } catch {
      // The application's handler failing must not fail the commit either.
    }
  }

  /**
   * Delete page objects no commit will ever name; a failure only leaves garbage for GC. Called
   * only when that is certain (a rollback, a commit another writer won, a page superseded
   * within its transaction), never after a commit whose outcome is unknown — its pages may be
   * live.
   */
  async discard(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.store.deleteMany(keys).catch((error: unknown) => this.failed(error));
  }

  /**
   * After commit `seq`, when it is a multiple of `every` (0: never), run `collect` in the
   * background: one run at a time, and one more after it when another was due meanwhile.
   */
  collectGarbageAfter(seq: number, every: number, collect: () => Promise<unknown>): void {
    if (every === 0 || seq % every !== 0) return;
    if (this.autoGc) {
      this.autoGcAgain = true;
      return;
    }
    this.autoGc = (async () => {
      do {
        this.autoGcAgain = false;
        // Best effort: a failed run leaves garbage for the next one, never damage.
        await collect().catch((error: unknown) => this.failed(error));
      } while (this.autoGcAgain);
      this.autoGc = undefined;
    })();
  }

  /** Resolves when no automatic collection is running. */
  async idle(): Promise<void> {
    await this.autoGc;
  }
}

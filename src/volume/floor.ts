import { NotFoundError, PreconditionFailedError } from '../errors.js';
import { decodeOldestRetained, encodeOldestRetained, oldestRetainedKey } from '../format/index.js';
import type { ObjectStore } from '../store/types.js';

/**
 * Raise `oldest-retained` (the gc floor) to `seq`, never lowering it: each write is conditional
 * on the object read just before it (`If-Match` its ETag, or `If-None-Match: *` when there is
 * none), so of two collections that overlap, the one that read the lower floor is refused, reads
 * again, and writes only if its own floor is still higher. Writers trust the floor to tell a
 * collected commit number from a free one (docs/history.md), so it must never go backwards.
 * A lost answer is harmless: the retry is refused (the ETag changed), and the read-back shows
 * the floor already there. Returns the floor as it stands afterwards.
 */
export async function raiseOldestRetained(
  store: ObjectStore,
  prefix: string,
  seq: number,
  signal?: AbortSignal,
): Promise<number> {
  const key = oldestRetainedKey(prefix);
  for (;;) {
    const current = await store.get(key, { signal }).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    const floor = current ? decodeOldestRetained(key, current.body) : 0;
    if (floor >= seq) return floor;
    try {
      await store.put(
        key,
        encodeOldestRetained(seq),
        current ? { ifMatch: current.etag, signal } : { ifNoneMatch: '*', signal },
      );
      return seq;
    } catch (error) {
      // Another collection changed the floor since it was read: look again. The floor only
      // rises, so every refusal means progress and the loop ends.
      if (!(error instanceof PreconditionFailedError || error instanceof NotFoundError)) {
        throw error;
      }
    }
  }
}

import { equalBytes } from '../bytes.js';
import { randomHex, type Random } from '../clock.js';
import { PreconditionFailedError, UnsupportedError } from '../errors.js';
import type { ConditionalWriteSupport, ObjectStore } from './types.js';

const encoder = new TextEncoder();

/** Starts the name of the probe's scratch key, under the prefix it was asked to use. */
export const PROBE_KEY_MARK = '.s3lite-probe-';

/**
 * Ask the store, with five requests on a scratch key, whether it refuses a create-only PUT of
 * an existing key and a PUT with a stale ETag. Some S3 look-alikes accept the headers and
 * silently overwrite; s3lite must know before it trusts them with concurrent writers.
 */
export async function probeConditionalWrites(
  store: ObjectStore,
  prefix: string,
  random: Random,
  signal?: AbortSignal,
): Promise<ConditionalWriteSupport> {
  const key = `${prefix}${PROBE_KEY_MARK}${randomHex(random, 16)}`;
  try {
    const first = encoder.encode('first');
    let etag = await wrote(store, key, first, signal, () =>
      store.put(key, first, { ifNoneMatch: '*', signal }),
    );
    const ifNoneMatch = await refused(async () => {
      etag = (await store.put(key, encoder.encode('second'), { ifNoneMatch: '*', signal })).etag;
    });
    const ifMatch =
      (await refused(() =>
        store.put(key, encoder.encode('third'), { ifMatch: staleEtag(etag), signal }),
      )) &&
      (await accepted(async () => {
        const fourth = encoder.encode('fourth');
        await wrote(store, key, fourth, signal, () =>
          store.put(key, fourth, { ifMatch: etag, signal }),
        );
      }));
    return { ifNoneMatch, ifMatch };
  } finally {
    await store.delete(key, { signal }).catch(() => undefined);
  }
}

/**
 * The ETag of `body`, written to `key` by `write`. When the answer to a conditional write is
 * lost, the store's retry finds its own first attempt applied and is refused (412); the
 * scratch key is ours alone (a random name), so reading it back tells that case apart.
 */
async function wrote(
  store: ObjectStore,
  key: string,
  body: Uint8Array,
  signal: AbortSignal | undefined,
  write: () => Promise<{ etag: string }>,
): Promise<string> {
  try {
    return (await write()).etag;
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const stored = await store.get(key, { signal });
    if (!equalBytes(stored.body, body)) throw error;
    return stored.etag;
  }
}

/** True when the write was refused for its precondition, false when it went through. */
async function refused(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return false;
  } catch (error) {
    if (error instanceof PreconditionFailedError) return true;
    if (error instanceof UnsupportedError) return false;
    throw error;
  }
}

async function accepted(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof PreconditionFailedError || error instanceof UnsupportedError) return false;
    throw error;
  }
}

/**
 * An ETag of the same shape as `etag` but different. Shape matters: Ceph RGW 16 was seen to
 * accept a PUT whose `If-Match` was the current ETag with a suffix appended, while it refuses
 * a well-formed stale one, which is what real writers send.
 */
function staleEtag(etag: string): string {
  const last = etag.at(-1) ?? '0';
  return etag.slice(0, -1) + (last === '0' ? '1' : '0');
}

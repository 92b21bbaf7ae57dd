import { NotFoundError } from '../errors.js';
import type { ObjectStore } from './types.js';

/**
 * The body of object `key`, or undefined when it does not exist: for objects whose absence is
 * an answer (a database not created yet, a commit not made yet), not an error.
 */
export async function getIfExists(
  store: ObjectStore,
  key: string,
): Promise<Uint8Array | undefined> {
  try {
    return (await store.get(key)).body;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

import { NotFoundError } from '../errors.js';
import type { ObjectStore } from './types.js';

/**
 * What `request` (a GET or HEAD of one object) resolves to, or undefined when it fails because
 * the object does not exist: for objects whose absence is an answer (a database not created
 * yet, a commit not made yet, a block never written), not an error.
 */
export async function ifExists<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** The body of object `key`, or undefined when it does not exist (see {@link ifExists}). */
export async function getIfExists(
  store: ObjectStore,
  key: string,
): Promise<Uint8Array | undefined> {
  return (await ifExists(store.get(key)))?.body;
}

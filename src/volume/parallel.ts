/**
 * Page uploads of one transaction in flight at once: as many as S3Store's default concurrency,
 * and no more, so that a large transaction does not queue a request per page in memory.
 */
export const UPLOAD_PARALLELISM = 64;

/**
 * Run `work` on every item, at most `limit` calls at a time. Items are taken from `items` only
 * as calls finish, so only `limit` calls (and their promises) exist at once: a transaction
 * uploading a hundred thousand pages holds a few dozen requests, not a queue of them all.
 * Stops taking items after the first failure, and rejects with it.
 */
export async function forEachInParallel<T>(
  items: Iterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failed = false;
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); !failed && next.done !== true; next = iterator.next()) {
      try {
        await work(next.value);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * A promise-chain mutex: callers run one at a time, in the order they asked. The Asyncify
 * build of SQLite can have only one call in progress per module (a second call while one is
 * suspended waiting for I/O would corrupt its unwound stack), so every entry into the module
 * goes through one of these.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Run `fn` once every earlier caller has finished; resolves or rejects as `fn` does. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

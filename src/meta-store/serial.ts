/**
 * Runs tasks one at a time, in call order. The store's operations read and change shared
 * state (the held read transaction, the buffer, the connection's transaction), so they must not
 * interleave at their awaits.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  /** Run `task` after every task queued before it; its outcome is the returned promise's. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

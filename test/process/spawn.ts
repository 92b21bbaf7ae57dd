import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** How a worker ended, with what it wrote to stderr (shown when an assertion on it fails). */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * A script of test/workers/ running in its own Node process (through tsx, so it runs the
 * TypeScript sources as the tests do). It gets its input as one JSON argument and answers
 * with JSON lines on stdout; closing its stdin is the "go" of workers that wait for one.
 */
export class WorkerProcess {
  readonly exited: Promise<WorkerExit>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly inbox: unknown[] = [];
  private readonly waiting: Array<{
    resolve: (message: unknown) => void;
    reject: (error: Error) => void;
  }> = [];
  private ended: WorkerExit | undefined;
  private stderr = '';

  constructor(
    readonly name: string,
    input: object,
    env: NodeJS.ProcessEnv = {},
  ) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', `test/workers/${name}.ts`, JSON.stringify(input)],
      { cwd: REPO, env: { ...process.env, ...env } },
    );
    createInterface({ input: this.child.stdout }).on('line', (line) => this.receive(line));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // 'close' comes after stdout and stderr are drained, so every message is in by then.
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.ended = { code, signal, stderr: this.stderr };
        for (const waiter of this.waiting.splice(0)) waiter.reject(this.endedEarly());
        resolve(this.ended);
      });
    });
  }

  /** The worker's next message; fails if it ends without sending one. */
  next<T>(): Promise<T> {
    if (this.inbox.length > 0) return Promise.resolve(this.inbox.shift() as T);
    if (this.ended) return Promise.reject(this.endedEarly());
    return new Promise((resolve, reject) =>
      this.waiting.push({ resolve: (message) => resolve(message as T), reject }),
    );
  }

  /** Tell the worker to go on. */
  go(): void {
    this.child.stdin.end();
  }

  private receive(line: string): void {
    const message: unknown = JSON.parse(line);
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(message);
    else this.inbox.push(message);
  }

  private endedEarly(): Error {
    const { code, signal, stderr } = this.ended ?? {};
    return new Error(
      `worker ${this.name} ended (code ${code}, signal ${signal}) before its next message\n${stderr}`,
    );
  }

  /** End the worker at once, if it still runs (after a test that failed half-way). */
  kill(): Promise<WorkerExit> {
    if (!this.ended) this.child.kill('SIGKILL');
    return this.exited;
  }
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Job, ResultOf } from './jobs.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** A job's result and the peak resident memory of the process that ran it. */
export interface Ran<R> {
  result: R;
  maxRssMiB: number;
}

/**
 * A job in a child process (bench/child.ts through tsx). Its JSON lines arrive in order;
 * `go()` closes its stdin, which writers wait for.
 */
export class Child<J extends Job> {
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private readonly waiting: Array<(line: string | undefined) => void> = [];
  private stderr = '';
  private readonly exited: Promise<number | null>;

  constructor(private readonly job: J) {
    this.process = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/child.ts', JSON.stringify(job)],
      { cwd: REPO },
    );
    this.process.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.process.stdout }).on('line', (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    this.exited = once(this.process, 'close').then(([code]) => {
      for (const waiter of this.waiting.splice(0)) waiter(undefined);
      return code as number | null;
    });
  }

  /** The child's next line of JSON. */
  async next<T>(): Promise<T> {
    const line =
      this.lines.shift() ??
      (this.process.exitCode === null
        ? await new Promise<string | undefined>((resolve) => this.waiting.push(resolve))
        : undefined);
    if (line === undefined) throw this.failure();
    return JSON.parse(line) as T;
  }

  go(): void {
    this.process.stdin.end();
  }

  /** The job's result, once the child has exited cleanly. */
  async result(): Promise<Ran<ResultOf<J>>> {
    this.go();
    const code = await this.exited;
    const last = this.lines.at(-1);
    if (code !== 0 || last === undefined) throw this.failure(code);
    return JSON.parse(last) as Ran<ResultOf<J>>;
  }

  private failure(code?: number | null): Error {
    return new Error(
      `bench job ${this.job.kind} failed (exit ${code ?? this.process.exitCode}):\n${this.stderr}`,
    );
  }
}

export function runChild<J extends Job>(job: J): Promise<Ran<ResultOf<J>>> {
  return new Child(job).result();
}

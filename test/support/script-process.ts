import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { bundledScript } from './bundled-script.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How much of a process's stderr is kept: its end says why it died. Torture workers run for
 * minutes, so all of it would grow without bound.
 */
const STDERR_KEPT = 64 * 1024;

/** How a process ended, with the end of what it wrote to stderr. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Where a {@link ScriptProcess} runs and where its messages go. */
export interface ScriptProcessOptions {
  /** Variables added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Take each message as it comes, instead of queueing it for {@link ScriptProcess.next}. */
  onMessage?: (message: unknown) => void;
}

/**
 * A TypeScript script of this repository (a test worker, a torture worker, a bench job) in a
 * Node process of its own, bundled from the sources with esbuild (the transform tsx uses) so
 * that it starts fast (see {@link bundledScript}) and runs the code the tests run. It gets its
 * input as one JSON argument and answers with JSON lines on stdout; closing its stdin is the
 * "go" of scripts that wait for one.
 */
export class ScriptProcess {
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly inbox: unknown[] = [];
  private readonly waiting: Array<{
    resolve: (message: unknown) => void;
    reject: (error: Error) => void;
  }> = [];
  private ended: ProcessExit | undefined;
  private stderrTail = '';

  /** `label` names the process in errors ("worker race", "bench job scan"). */
  constructor(
    readonly label: string,
    script: string,
    input: object,
    options: ScriptProcessOptions = {},
  ) {
    this.child = spawn(process.execPath, [bundledScript(REPO, script), JSON.stringify(input)], {
      cwd: REPO,
      // The SDK's notice about Node 20 would bury the stderr lines that say why a script died.
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...options.env,
      },
    });
    const onMessage = options.onMessage ?? ((message: unknown) => this.receive(message));
    createInterface({ input: this.child.stdout }).on('line', (line) => onMessage(JSON.parse(line)));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEPT);
    });
    // 'close' comes after stdout and stderr are drained, so every message is in by then.
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.ended = { code, signal, stderr: this.stderrTail };
        for (const waiter of this.waiting.splice(0)) waiter.reject(this.endedEarly());
        resolve(this.ended);
      });
    });
  }

  /** The end of what the process wrote to stderr so far. */
  get stderr(): string {
    return this.stderrTail;
  }

  /** The process's next message; fails if it ends without sending one. */
  next<T>(): Promise<T> {
    if (this.inbox.length > 0) return Promise.resolve(this.inbox.shift() as T);
    if (this.ended) return Promise.reject(this.endedEarly());
    return new Promise((resolve, reject) =>
      this.waiting.push({ resolve: (message) => resolve(message as T), reject }),
    );
  }

  /** Tell the process to go on. */
  go(): void {
    this.child.stdin.end();
  }

  /**
   * Tell the process to go on, and take the last message it sends before it exits; fails
   * unless it exits with code 0 having sent one.
   */
  async result<T>(): Promise<T> {
    this.go();
    const { code, signal, stderr } = await this.exited;
    if (code !== 0 || this.inbox.length === 0) {
      throw new Error(`${this.label} failed (code ${code}, signal ${signal}):\n${stderr}`);
    }
    return this.inbox.at(-1) as T;
  }

  /** End the process at once (SIGKILL), if it still runs. */
  kill(): Promise<ProcessExit> {
    if (!this.ended) this.child.kill('SIGKILL');
    return this.exited;
  }

  private receive(message: unknown): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(message);
    else this.inbox.push(message);
  }

  private endedEarly(): Error {
    const { code, signal, stderr } = this.ended ?? {};
    return new Error(
      `${this.label} ended (code ${code}, signal ${signal}) before its next message\n${stderr}`,
    );
  }
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TortureMessage } from '../workers/torture-common.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * One torture worker (a script of test/workers/ run through tsx in its own Node process). Its
 * JSON lines go to `onMessage` as they come; it runs until killed.
 */
export class TortureProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';

  constructor(
    readonly role: string,
    readonly id: string,
    input: object,
    env: NodeJS.ProcessEnv,
    onMessage: (message: TortureMessage, from: TortureProcess) => void,
  ) {
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', `test/workers/torture-${role}.ts`, JSON.stringify(input)],
      {
        cwd: REPO,
        // The SDK's notice about Node 20 would bury the stderr lines that say why a worker died.
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      },
    );
    createInterface({ input: this.child.stdout }).on('line', (line) =>
      onMessage(JSON.parse(line) as TortureMessage, this),
    );
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      // Keep the end: it says why a worker died, if it died on its own.
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code, signal) => resolve({ code, signal })),
    );
  }

  /** What the worker wrote to stderr last. */
  get errorOutput(): string {
    return this.stderr;
  }

  /** SIGKILL: the worker gets no chance to finish what it is doing. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

import { ScriptProcess } from '../../test/support/script-process.js';
import type { Job, ResultOf } from './jobs.js';

/** A job's result and the peak resident memory of the process that ran it. */
export interface Ran<R> {
  result: R;
  maxRssMiB: number;
}

/**
 * A job in a child process of its own (bench/runner/child.ts), so that its peak memory is its own.
 * Its last message is its {@link Ran} result; `go()` closes its stdin, which writers wait for.
 */
export function startJob(job: Job): ScriptProcess {
  return new ScriptProcess(`bench job ${job.kind}`, 'bench/runner/child.ts', job);
}

export function runChild<J extends Job>(job: J): Promise<Ran<ResultOf<J>>> {
  return startJob(job).result<Ran<ResultOf<J>>>();
}

import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

/** Where and on what a run happened, so that its figures can be compared with another's. */
export interface RunInfo {
  date: string;
  commit: string;
  /** The working tree had changes not in `commit`. */
  dirty: boolean;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string };
}

export function runInfo(): RunInfo {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    date: new Date().toISOString(),
    commit: git('rev-parse', 'HEAD') || 'unknown',
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    machine: {
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
    },
  };
}

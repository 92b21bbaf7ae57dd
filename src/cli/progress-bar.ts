import cliProgress from 'cli-progress';
import type { Progress } from '../serialize/index.js';

/** What a command shows while it transfers: a bar on a terminal, nothing otherwise. */
export interface ProgressDisplay {
  update(progress: Progress): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal and the user did not ask for quiet or JSON
 * output; scripts and pipes get nothing but errors.
 */
export function progressDisplay(label: string, enabled: boolean): ProgressDisplay {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {percentage}% | {done}/{total} MiB | {pagesDone} pages | {eta_formatted}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  let started = false;
  return {
    update(progress) {
      const total = progress.bytesTotal ?? progress.bytesDone;
      const payload = {
        done: mib(progress.bytesDone),
        total: mib(total),
        pagesDone: progress.pagesDone,
      };
      if (!started) {
        bar.start(total, progress.bytesDone, payload);
        started = true;
      }
      bar.setTotal(total);
      bar.update(progress.bytesDone, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

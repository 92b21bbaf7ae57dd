import cliProgress from 'cli-progress';
import type { Progress } from '../serialize/index.js';
import { TransferRate } from './transfer-rate.js';

/** What a command shows while it transfers: a bar on a terminal, nothing otherwise. */
export interface ProgressDisplay {
  update(progress: Progress): void;
  stop(): void;
}

const MIB = 1048576;

/**
 * A progress bar on stderr when it is a terminal and the user did not ask for quiet or JSON
 * output; scripts and pipes get nothing but errors. Rate and ETA are s3lite's own, over the
 * last seconds: cli-progress estimates from its last ten updates, and pages arrive in bursts
 * (a write buffer flushing, a batch of parallel GETs) that make that window a few
 * milliseconds wide and the ETA zero.
 */
export function progressDisplay(label: string, enabled: boolean): ProgressDisplay {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      // Payload names must not be the bar's own tokens ({total}, {value}, {eta}): those win.
      format: `${label} {bar} {percentage}% | {doneMiB}/{totalMiB} MiB | {pagesDone} pages | {rate} | ETA {etaText}`,
      hideCursor: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const rate = new TransferRate();
  let started = false;
  return {
    update(progress) {
      const total = progress.bytesTotal ?? progress.bytesDone;
      const bytesPerSecond = rate.sample(progress.bytesDone);
      const payload = {
        doneMiB: (progress.bytesDone / MIB).toFixed(1),
        totalMiB: progress.bytesTotal === undefined ? '?' : (total / MIB).toFixed(1),
        pagesDone: progress.pagesDone,
        rate:
          bytesPerSecond === undefined ? '… MiB/s' : `${(bytesPerSecond / MIB).toFixed(1)} MiB/s`,
        etaText:
          bytesPerSecond === undefined || progress.bytesTotal === undefined
            ? '…'
            : formatSeconds((total - progress.bytesDone) / bytesPerSecond),
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

/** `42 s`, `3 min 05 s`, `1 h 20 min`. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

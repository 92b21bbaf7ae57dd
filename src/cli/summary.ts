import type { TransferSummary } from '../serialize/index.js';

/** The end of an import or export: one JSON object with --json, a line unless --quiet. */
export function printSummary(
  verb: string,
  summary: TransferSummary,
  flags: { quiet?: boolean; json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  if (flags.json) {
    out.write(`${JSON.stringify(summary)}\n`);
  } else if (!flags.quiet) {
    const mib = summary.bytes / 1048576;
    out.write(
      `${verb} ${summary.pages} pages (${mib.toFixed(1)} MiB) at commit ${summary.commit} in ` +
        `${summary.seconds.toFixed(1)} s (${(mib / Math.max(summary.seconds, 1e-3)).toFixed(1)} MiB/s), ` +
        `${summary.requests.put ?? 0} PUT, ${summary.requests.get ?? 0} GET\n`,
    );
  }
}

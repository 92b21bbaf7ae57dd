import type { TransferSummary } from '../serialize/index.js';

/**
 * The end of an import or export: one JSON object on `out` with --json (the output asked
 * for), else a line for people on stderr unless --quiet, so stdout carries only data.
 */
export function printSummary(
  verb: string,
  summary: TransferSummary,
  flags: { quiet?: boolean; json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): void {
  if (flags.json) {
    // Milliseconds are all a timing of a whole transfer can honestly claim.
    out.write(
      `${JSON.stringify({ ...summary, seconds: Math.round(summary.seconds * 1000) / 1000 })}\n`,
    );
  } else if (!flags.quiet) {
    const mib = summary.bytes / 1048576;
    process.stderr.write(
      `${verb} ${summary.pages} pages (${mib.toFixed(1)} MiB) at commit ${summary.commit} in ` +
        `${summary.seconds.toFixed(1)} s (${(mib / Math.max(summary.seconds, 1e-3)).toFixed(1)} MiB/s), ` +
        `${summary.requests.put ?? 0} PUT, ${summary.requests.get ?? 0} GET\n`,
    );
  }
}

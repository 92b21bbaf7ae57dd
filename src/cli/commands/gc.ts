import { Command } from 'commander';
import type { GcReport } from '../../db/index.js';
import { duration, wholeNumber } from '../option-values.js';
import { s3Options, withS3Flags, type S3Flags } from '../s3-flags.js';

interface GcFlags extends S3Flags {
  keepLast?: number;
  keepFor?: string;
  grace?: string;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `s3lite gc <url>`: delete the history and orphan page objects a database no longer needs,
 * keeping what the retention flags say (default: every commit of the last 24 hours), and
 * report what went and how many bytes that freed. Safe while others read and write.
 */
export function gcCommand(): Command {
  return withS3Flags(
    new Command('gc')
      .description('delete old commits and unreferenced page objects of a database')
      .argument('<url>', 's3://bucket/prefix, file:///dir/prefix or memory://name/prefix')
      .option('--keep-last <n>', 'keep the newest n commits', wholeNumber)
      .option(
        '--keep-for <duration>',
        'keep the commits made within this span, e.g. 24h or 7d',
        duration,
      )
      .option('--grace <duration>', 'leave garbage younger than this alone (default 1h)', duration)
      .option('--dry-run', 'report what would be deleted, delete nothing')
      .option('--json', 'print the report as one JSON object'),
  ).action(async (url: string, flags: GcFlags) => {
    const { gc } = await import('../../db/index.js');
    const report = await gc(url, {
      s3: s3Options(flags),
      keepLast: flags.keepLast,
      keepFor: flags.keepFor,
      grace: flags.grace,
      dryRun: flags.dryRun ?? false,
    });
    console.log(flags.json ? JSON.stringify(report) : describe(report));
  });
}

/** The report in a few lines for people. */
function describe(report: GcReport): string {
  if (report.head === 0) return 'no commits: nothing to collect';
  const { commits, checkpoints, pages } = report.removed;
  const verb = report.dryRun ? 'would remove' : 'removed';
  const kept = report.head - report.oldestRetained + 1;
  const lines = [
    `${verb} ${commits} commit records, ${checkpoints} checkpoints, ${pages} page objects: ` +
      `${bytes(report.bytesFreed)} ${report.dryRun ? 'to free' : 'freed'}`,
    `kept commits ${report.oldestRetained}–${report.head} (${kept})` +
      (report.checkpointsWritten.length > 0
        ? `; ${report.dryRun ? 'would write' : 'wrote'} checkpoint ${report.checkpointsWritten.join(', ')}`
        : ''),
    `stored ${bytes(report.storedBytesBefore)} → ${bytes(report.storedBytesAfter)}; ` +
      `database ${bytes(report.liveBytes)}`,
  ];
  if (report.youngPagesKept > 0) {
    lines.push(
      `${report.youngPagesKept} unreferenced page objects younger than the grace period kept`,
    );
  }
  return lines.join('\n');
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

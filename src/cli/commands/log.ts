import { Command } from 'commander';
import { jsonLine, table, tsv } from '../print-rows.js';
import { wholeNumber } from '../option-values.js';
import { requireDatabase } from '../refusals.js';
import { s3Options, withS3Flags, type S3Flags } from '../s3-flags.js';

interface LogFlags extends S3Flags {
  limit?: number;
  json?: boolean;
}

const COLUMNS = ['commit', 'time', 'txid', 'pages', 'size'];

/**
 * `s3lite log <url>`: the retained commits of a database, newest first — number, time,
 * transaction id, pages changed and the database's size after it — as a table on a terminal,
 * tab-separated values when piped, JSON lines with `--json`.
 */
export function logCommand(): Command {
  return withS3Flags(
    new Command('log')
      .description('list the commits of a database, newest first')
      .argument('<url>', 's3://bucket/prefix, file:///dir/prefix or memory://name/prefix')
      .option('-n, --limit <n>', 'show at most n commits', wholeNumber)
      .option('--json', 'print one JSON object per commit'),
  ).action(async (url: string, flags: LogFlags) => {
    const { commitLog } = await import('../../db/index.js');
    const commits = await requireDatabase(url, () =>
      commitLog(url, { s3: s3Options(flags), limit: flags.limit }),
    );
    const rows = commits.map((c) => ({
      commit: c.seq,
      time: new Date(c.time).toISOString(),
      txid: c.txid,
      pages: c.changedPages,
      size: c.pageCount * c.pageSize,
    }));
    if (flags.json) {
      for (const row of rows) console.log(jsonLine(row));
    } else if (rows.length === 0) {
      console.log(`${url}: no commits`);
    } else {
      console.log(process.stdout.isTTY ? table(COLUMNS, rows) : tsv(COLUMNS, rows));
    }
  });
}

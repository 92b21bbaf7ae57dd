import { Command } from 'commander';
import { commitOrTime } from '../option-values.js';
import { jsonLine, table, tsv } from '../print-rows.js';
import { s3Options, withS3Flags, type S3Flags } from '../s3-flags.js';

interface SqlFlags extends S3Flags {
  json?: boolean;
  readOnly?: boolean;
  at?: number | Date;
}

/**
 * `s3lite sql <url> "<statements>"`: run statements and print the rows of each one that
 * returns rows — a table on a terminal, tab-separated values otherwise, JSON lines with
 * `--json`. Statements outside an explicit transaction that lose a commit race to another
 * writer are re-run on the new head.
 */
export function sqlCommand(): Command {
  return withS3Flags(
    new Command('sql')
      .description('run SQL statements against a database and print their rows')
      .argument('<url>', 's3://bucket/prefix, file:///dir/prefix or memory://name/prefix')
      .argument('<statements>', 'one or more SQL statements separated by semicolons')
      .option('--json', 'print rows as JSON lines')
      .option('--read-only', 'refuse to write')
      .option(
        '--at <commit|time>',
        'read the database as it was after this commit, or at this time (read-only)',
        commitOrTime,
      ),
  ).action(async (url: string, sql: string, flags: SqlFlags) => {
    const { open } = await import('../../db/index.js');
    const db = await open(url, {
      s3: s3Options(flags),
      readOnly: flags.readOnly ?? false,
      at: flags.at,
    });
    try {
      for (const result of await db.script(sql)) {
        if (result.columns.length === 0) continue;
        if (flags.json) {
          for (const row of result.rows) console.log(jsonLine(row));
        } else if (process.stdout.isTTY) {
          console.log(table(result.columns, result.rows));
        } else {
          console.log(tsv(result.columns, result.rows));
        }
      }
    } finally {
      await db.close();
    }
  });
}

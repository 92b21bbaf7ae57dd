import { Command, InvalidArgumentError } from 'commander';
import {
  exportToFile,
  exportToObject,
  exportToWritable,
  type TransferSummary,
} from '../../serialize/index.js';
import { isS3Url, objectFromUrl } from '../object-url.js';
import { progressDisplay } from '../progress-bar.js';
import { s3Options, withS3Flags, type S3Flags } from '../s3-flags.js';
import { printSummary } from '../summary.js';

interface ExportFlags extends S3Flags {
  at?: number;
  quiet?: boolean;
  json?: boolean;
}

function commitNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError('a commit number (0, 1, 2, …)');
  return n;
}

/** `s3lite export <url> <file|-|s3://bucket/key>`: a database as a regular .sqlite file. */
export function exportCommand(): Command {
  return withS3Flags(
    new Command('export')
      .description('export a database as a regular SQLite file')
      .argument('<url>', 'source: s3://bucket/prefix, file:///dir/prefix or memory://name/prefix')
      .argument('<destination>', 'a file, - for standard output, or s3://bucket/key')
      .option('--at <commit>', 'export the database as it was after this commit', commitNumber)
      .option('--quiet', 'print nothing but errors')
      .option('--json', 'print a JSON summary: bytes, pages, requests, seconds'),
  ).action(async (url: string, destination: string, flags: ExportFlags) => {
    const s3 = s3Options(flags);
    const toStdout = destination === '-';
    // With the bytes on stdout, a bar or summary there would corrupt them; stderr is free.
    const display = progressDisplay('export', !flags.quiet && !flags.json);
    const options = { s3, at: flags.at, onProgress: display.update };
    let summary: TransferSummary;
    try {
      if (toStdout) {
        summary = await exportToWritable(url, process.stdout, options);
      } else if (isS3Url(destination)) {
        const object = objectFromUrl(destination, s3);
        try {
          summary = await exportToObject(url, object, options);
        } finally {
          await object.store.close();
        }
      } else {
        summary = await exportToFile(url, destination, options);
      }
    } finally {
      display.stop();
    }
    printSummary('exported', summary, flags, toStdout ? process.stderr : process.stdout);
  });
}

import { Command } from 'commander';
import {
  importDatabase,
  importFromFile,
  importFromObject,
  type TransferSummary,
} from '../../serialize/index.js';
import { isS3Url, objectFromUrl } from '../object-url.js';
import { progressDisplay } from '../progress-bar.js';
import { s3Options, withS3Flags, type S3Flags } from '../s3-flags.js';
import { printSummary } from '../summary.js';

interface ImportFlags extends S3Flags {
  overwrite?: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** `s3lite import <file|-|s3://bucket/key> <url>`: a .sqlite file into a database, as one commit. */
export function importCommand(): Command {
  return withS3Flags(
    new Command('import')
      .description('import a regular SQLite file into a database, atomically (one commit)')
      .argument('<source>', 'a .sqlite file, - for standard input, or s3://bucket/key')
      .argument('<url>', 'target: s3://bucket/prefix, file:///dir/prefix or memory://name/prefix')
      .option('--overwrite', 'replace a database already at the target (as one new commit)')
      .option('--quiet', 'print nothing but errors')
      .option('--json', 'print a JSON summary: bytes, pages, requests, seconds'),
  ).action(async (source: string, url: string, flags: ImportFlags) => {
    const s3 = s3Options(flags);
    const display = progressDisplay('import', !flags.quiet && !flags.json);
    const options = { s3, overwrite: flags.overwrite ?? false, onProgress: display.update };
    let summary: TransferSummary;
    try {
      if (source === '-') {
        summary = await importDatabase(process.stdin, url, { ...options, name: 'standard input' });
      } else if (isS3Url(source)) {
        const object = objectFromUrl(source, s3);
        try {
          summary = await importFromObject(object, url, options);
        } finally {
          await object.store.close();
        }
      } else {
        summary = await importFromFile(source, url, options);
      }
    } finally {
      display.stop();
    }
    printSummary('imported', summary, flags);
  });
}

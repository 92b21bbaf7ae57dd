import { Command, InvalidArgumentError } from 'commander';
import { InvalidArgumentError as BadArgument } from '../../errors.js';
import { DEFAULT_BLOCK_SIZE, layoutFromUrl, writeBlocksDatabase } from '../../layouts/index.js';
import {
  exportDatabase,
  exportToFile,
  exportToObject,
  exportToWritable,
  type ExportOptions,
  type TransferSummary,
} from '../../serialize/index.js';
import { storeFromUrl, type S3UrlOptions } from '../../store/url.js';
import { isS3Url, objectFromUrl } from '../object-url.js';
import { wholeNumber } from '../option-values.js';
import { progressDisplay } from '../progress-bar.js';
import { s3Options, withS3Flags, type S3Flags } from '../s3-flags.js';
import { printSummary } from '../summary.js';

interface ExportFlags extends S3Flags {
  at?: number;
  layout?: 'sqlite' | 's3vfs';
  blockSize?: number;
  overwrite?: boolean;
  quiet?: boolean;
  json?: boolean;
}

function commitNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError('a commit number (0, 1, 2, …)');
  return n;
}

/** The value of `--layout`. */
function targetLayout(text: string): 'sqlite' | 's3vfs' {
  if (text !== 'sqlite' && text !== 's3vfs') throw new InvalidArgumentError('sqlite or s3vfs');
  return text;
}

/**
 * `s3lite export <url> <file|-|s3://bucket/key>`: a database as a regular .sqlite file, or
 * with `--layout s3vfs` (or an `s3vfs://bucket/prefix` destination) as sqlite-s3vfs blocks.
 */
export function exportCommand(): Command {
  return withS3Flags(
    new Command('export')
      .description('export a database as a regular SQLite file')
      .argument('<url>', 'source: s3://bucket/prefix, file:///dir/prefix or memory://name/prefix')
      .argument(
        '<destination>',
        'a file, - for standard output, s3://bucket/key, or s3vfs://bucket/prefix',
      )
      .option('--at <commit>', 'export the database as it was after this commit', commitNumber)
      .option(
        '--layout <layout>',
        'sqlite (a regular file, the default) or s3vfs (blocks under s3://bucket/prefix)',
        targetLayout,
      )
      .option(
        '--block-size <bytes>',
        `block size of an s3vfs export (default ${DEFAULT_BLOCK_SIZE})`,
        wholeNumber,
      )
      .option('--overwrite', 'replace an s3vfs database already at the destination')
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
      if (destination.startsWith('s3vfs://') || flags.layout === 's3vfs') {
        summary = await exportBlocks(url, destination, flags, options);
      } else if (toStdout) {
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

/** Export to sqlite-s3vfs blocks at `destination` (`s3vfs://` or `s3://bucket/prefix`). */
async function exportBlocks(
  url: string,
  destination: string,
  flags: ExportFlags,
  options: ExportOptions & { s3: S3UrlOptions },
): Promise<TransferSummary> {
  const target = layoutFromUrl(destination).url;
  if (!isS3Url(target)) {
    throw new BadArgument(`an s3vfs export goes to s3vfs://bucket/prefix, not ${destination}`);
  }
  const { store, prefix } = storeFromUrl(target, options.s3);
  try {
    const exported = exportDatabase(url, options);
    await writeBlocksDatabase({ store, file: prefix }, exported, {
      blockSize: flags.blockSize ?? DEFAULT_BLOCK_SIZE,
      overwrite: flags.overwrite ?? false,
    });
    return await exported.summary;
  } finally {
    await store.close();
  }
}

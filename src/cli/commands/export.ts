import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { InvalidArgumentError as BadArgument } from '../../errors.js';
import { DEFAULT_BLOCK_SIZE } from '../../layouts/backend.js';
import type { ExportOptions, TransferSummary } from '../../serialize/index.js';
import type { S3UrlOptions } from '../../store/url.js';
import { commitOrTime, wholeNumber } from '../option-values.js';
import { progressDisplay } from '../progress-bar.js';
import { refuseExisting, requireDatabase, withOverwriteFlag } from '../refusals.js';
import { s3Options, withS3Flags, type S3Flags } from '../s3-flags.js';
import { printSummary } from '../summary.js';

interface ExportFlags extends S3Flags {
  at?: number | Date;
  layout?: 'sqlite' | 's3vfs';
  blockSize?: number;
  overwrite?: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** The value of `--layout`. */
function targetLayout(text: string): 'sqlite' | 's3vfs' {
  if (text !== 'sqlite' && text !== 's3vfs') throw new InvalidArgumentError('sqlite or s3vfs');
  return text;
}

/**
 * `s3lite export <url> <file|-|s3://bucket/key>`: a database as a regular .sqlite file, or
 * with `--layout s3vfs` (or an `s3vfs://bucket/prefix` destination) as sqlite-s3vfs blocks.
 * What the action needs is imported when it runs, so that `--help` does not load the AWS SDK.
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
      .option(
        '--at <commit|time>',
        'export the database as it was after this commit, or at this time',
        commitOrTime,
      )
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
      .option('--overwrite', 'replace the file, object or s3vfs database at the destination')
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
      summary = await requireDatabase(url, () =>
        exportTo(url, destination, flags, options, toStdout),
      );
    } finally {
      display.stop();
    }
    printSummary('exported', summary, flags, toStdout ? process.stderr : process.stdout);
  });
}

async function exportTo(
  url: string,
  destination: string,
  flags: ExportFlags,
  options: ExportOptions & { s3: S3UrlOptions },
  toStdout: boolean,
): Promise<TransferSummary> {
  const { exportToFile, exportToObject, exportToWritable } =
    await import('../../serialize/index.js');
  const { isS3Url, objectExists, objectFromUrl } = await import('../object-url.js');
  if (destination.startsWith('s3vfs://') || flags.layout === 's3vfs') {
    return withOverwriteFlag(destination, () => exportBlocks(url, destination, flags, options));
  }
  if (toStdout) return exportToWritable(url, process.stdout, options);
  if (isS3Url(destination)) {
    const object = objectFromUrl(destination, options.s3);
    try {
      refuseExisting(destination, await objectExists(object), flags.overwrite ?? false);
      return await exportToObject(url, object, options);
    } finally {
      await object.store.close();
    }
  }
  refuseExisting(destination, existsSync(destination), flags.overwrite ?? false);
  return exportToFile(url, destination, options);
}

/** Export to sqlite-s3vfs blocks at `destination` (`s3vfs://` or `s3://bucket/prefix`). */
async function exportBlocks(
  url: string,
  destination: string,
  flags: ExportFlags,
  options: ExportOptions & { s3: S3UrlOptions },
): Promise<TransferSummary> {
  const { layoutFromUrl, writeBlocksDatabase } = await import('../../layouts/index.js');
  const { exportDatabase } = await import('../../serialize/index.js');
  const { storeFromUrl } = await import('../../store/url.js');
  const { isS3Url } = await import('../object-url.js');
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

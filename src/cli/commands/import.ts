import { Command, InvalidArgumentError } from 'commander';
import { InvalidArgumentError as BadArgument } from '../../errors.js';
import type { ImportOptions } from '../../db/import.js';
import type { TransferSummary } from '../../serialize/index.js';
import type { S3UrlOptions } from '../../store/url.js';
import { wholeNumber } from '../option-values.js';
import { progressDisplay } from '../progress-bar.js';
import { withOverwriteFlag } from '../refusals.js';
import { s3Options, withS3Flags, type S3Flags } from '../s3-flags.js';
import { printSummary } from '../summary.js';

interface ImportFlags extends S3Flags {
  layout?: 's3vfs';
  blockSize?: number;
  overwrite?: boolean;
  quiet?: boolean;
  json?: boolean;
  verify: boolean;
}

/** The value of `--layout`: the only layout a source may have besides a plain file. */
function sourceLayout(text: string): 's3vfs' {
  if (text !== 's3vfs') throw new InvalidArgumentError('the only layout is s3vfs');
  return text;
}

/**
 * `s3lite import <file|-|s3://bucket/key|s3vfs://bucket/prefix> <url>`: a .sqlite file, or a
 * sqlite-s3vfs database, into a database, as one commit.
 */
export function importCommand(): Command {
  return withS3Flags(
    new Command('import')
      .description('import a regular SQLite file into a database, atomically (one commit)')
      .argument(
        '<source>',
        'a .sqlite file, - for standard input, s3://bucket/key, or s3vfs://bucket/prefix',
      )
      .argument('<url>', 'target: s3://bucket/prefix, file:///dir/prefix or memory://name/prefix')
      .option(
        '--layout <layout>',
        's3vfs: the source s3://bucket/prefix holds sqlite-s3vfs blocks (as s3vfs:// does)',
        sourceLayout,
      )
      .option(
        '--block-size <bytes>',
        'block size of an s3vfs source (default: inferred)',
        wholeNumber,
      )
      .option('--overwrite', 'replace a database already at the target (as one new commit)')
      .option(
        '--no-verify',
        "skip SQLite's structure check (PRAGMA quick_check) of the staged pages, for a trusted file",
      )
      .option('--quiet', 'print nothing but errors')
      .option('--json', 'print a JSON summary: bytes, pages, requests, seconds'),
  ).action(async (source: string, url: string, flags: ImportFlags) => {
    const s3 = s3Options(flags);
    const display = progressDisplay('import', !flags.quiet && !flags.json);
    const options = {
      s3,
      overwrite: flags.overwrite ?? false,
      verify: flags.verify,
      onProgress: display.update,
    };
    let summary: TransferSummary;
    try {
      summary = await withOverwriteFlag(url, () => importFrom(source, url, flags, options));
    } finally {
      display.stop();
    }
    printSummary('imported', summary, flags);
  });
}

/** What the action needs is imported when it runs, so that `--help` does not load the AWS SDK. */
async function importFrom(
  source: string,
  url: string,
  flags: ImportFlags,
  options: ImportOptions & { s3: S3UrlOptions },
): Promise<TransferSummary> {
  const { importDatabase, importFromFile, importFromObject } = await import('../../db/import.js');
  const { isS3Url, objectFromUrl } = await import('../object-url.js');
  if (source.startsWith('s3vfs://') || flags.layout === 's3vfs') {
    return importBlocks(source, url, flags.blockSize, options);
  }
  if (source === '-') {
    return importDatabase(process.stdin, url, { ...options, name: 'standard input' });
  }
  if (isS3Url(source)) {
    const object = objectFromUrl(source, options.s3);
    try {
      return await importFromObject(object, url, options);
    } finally {
      await object.store.close();
    }
  }
  return importFromFile(source, url, options);
}

/** Import the sqlite-s3vfs database at `source` (`s3vfs://` or `s3://bucket/prefix`). */
async function importBlocks(
  source: string,
  url: string,
  blockSize: number | undefined,
  options: ImportOptions & { s3: S3UrlOptions },
): Promise<TransferSummary> {
  const { layoutFromUrl, readBlocksDatabase } = await import('../../layouts/index.js');
  const { importDatabase } = await import('../../db/import.js');
  const { storeFromUrl } = await import('../../store/url.js');
  const { isS3Url } = await import('../object-url.js');
  if (!isS3Url(layoutFromUrl(source).url)) {
    throw new BadArgument(`an s3vfs source is s3vfs://bucket/prefix, not ${source}`);
  }
  const { store, prefix } = storeFromUrl(layoutFromUrl(source).url, options.s3);
  try {
    const blocks = await readBlocksDatabase({ store, file: prefix, blockSize });
    return await importDatabase(blocks.chunks, url, {
      ...options,
      size: blocks.size,
      name: blocks.name,
    });
  } finally {
    await store.close();
  }
}

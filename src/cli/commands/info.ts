import { Command } from 'commander';
import { noDatabase } from '../refusals.js';
import { s3Options, withS3Flags, type S3Flags } from '../s3-flags.js';

/**
 * `s3lite info <url>`: page size, page count, size and head commit of a database; a location
 * without one fails, as `log` and `export` do.
 */
export function infoCommand(): Command {
  return withS3Flags(
    new Command('info')
      .description('show page size, page count, size and head commit of a database')
      .argument('<url>', 's3://bucket/prefix, file:///dir/prefix or memory://name/prefix')
      .option('--json', 'print one JSON object'),
  ).action(async (url: string, flags: S3Flags & { json?: boolean }) => {
    const { open } = await import('../../db/index.js');
    const db = await open(url, { s3: s3Options(flags), readOnly: true });
    try {
      const { snapshot } = db.stats();
      if (snapshot.seq === 0) throw noDatabase(url);
      const info = {
        location: url,
        pageSize: snapshot.pageSize,
        pageCount: snapshot.pageCount,
        bytes: snapshot.pageSize * snapshot.pageCount,
        headCommit: snapshot.seq,
        headTime: new Date(snapshot.time).toISOString(),
      };
      if (flags.json) {
        console.log(JSON.stringify(info));
        return;
      }
      console.log(
        [
          `location     ${info.location}`,
          `page size    ${info.pageSize} bytes`,
          `page count   ${info.pageCount}`,
          `size         ${info.bytes} bytes`,
          `head commit  ${info.headCommit} at ${info.headTime}`,
        ].join('\n'),
      );
    } finally {
      await db.close();
    }
  });
}

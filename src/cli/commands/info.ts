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
      // Other layouts (sqlite-s3vfs blocks, a plain object) have no commits: commit 0 is theirs.
      const commits = db.layout === 's3lite';
      if (commits && snapshot.seq === 0) throw noDatabase(url);
      await db.checkSize();
      const info = {
        location: url,
        layout: db.layout,
        pageSize: snapshot.pageSize,
        pageCount: snapshot.pageCount,
        bytes: snapshot.pageSize * snapshot.pageCount,
        headCommit: commits ? snapshot.seq : null,
        headTime: commits ? new Date(snapshot.time).toISOString() : null,
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
          commits
            ? `head commit  ${info.headCommit} at ${info.headTime}`
            : `layout       ${db.layout}`,
        ].join('\n'),
      );
    } finally {
      await db.close();
    }
  });
}

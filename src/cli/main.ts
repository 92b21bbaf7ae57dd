#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { S3liteError } from '../errors.js';
import { exportCommand } from './commands/export.js';
import { gcCommand } from './commands/gc.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { logCommand } from './commands/log.js';
import { sqlCommand } from './commands/sql.js';
import { EXIT } from './exit-codes.js';

/**
 * The AWS SDK warns on every run that its 2027 releases will need Node 22. The versions this
 * package pins work on Node 20, and a user of the command can do nothing about the notice;
 * the SDK's own switch silences it unless the user set it otherwise.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('s3lite')
  .description('SQLite databases in S3-compatible object storage, one object per page')
  .showHelpAfterError()
  .exitOverride();
for (const command of [
  sqlCommand(),
  infoCommand(),
  importCommand(),
  exportCommand(),
  logCommand(),
  gcCommand(),
]) {
  // Subcommands do not inherit exitOverride: without it they would exit with commander's 1.
  program.addCommand(command.exitOverride().showHelpAfterError());
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeOf(error);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version output end here too, successfully.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof S3liteError) {
    console.error(`s3lite: ${error.message} [${error.code}]`);
    if (error.code === 'INVALID_ARGUMENT') return EXIT.usage;
    if (error.code === 'CONFLICT') return EXIT.conflict;
    return EXIT.failure;
  }
  console.error(
    `s3lite: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return EXIT.failure;
}

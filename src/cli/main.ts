#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { exportCommand } from './commands/export.js';
import { gcCommand } from './commands/gc.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { logCommand } from './commands/log.js';
import { sqlCommand } from './commands/sql.js';
import { reportFailure, usageLine } from './failure.js';

/**
 * The AWS SDK warns on every run that its 2027 releases will need Node 22. The versions this
 * package pins work on Node 20, and a user of the command can do nothing about the notice;
 * the SDK's own switch silences it unless the user set it otherwise.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// src/cli/ and dist/cli/ both sit two levels below package.json.
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

// Commander prints usage errors itself: as one line, like every other failure.
const output = {
  outputError: (text: string, write: (s: string) => void) => write(usageLine(text)),
};

const program = new Command('s3lite')
  .description('SQLite databases in S3-compatible object storage, one object per page')
  .version(version, '-V, --version', 'print the version')
  .configureOutput(output)
  .exitOverride();
for (const command of [
  sqlCommand(),
  infoCommand(),
  importCommand(),
  exportCommand(),
  logCommand(),
  gcCommand(),
]) {
  // Subcommands inherit neither exitOverride (they would exit with commander's 1) nor output.
  program.addCommand(command.exitOverride().configureOutput(output));
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportFailure(error);
}

import type { Command } from 'commander';
import type { S3UrlOptions } from '../store/url.js';

/** The S3 connection flags every command that takes a location accepts. */
export interface S3Flags {
  endpoint?: string;
  region?: string;
  profile?: string;
  pathStyle?: boolean;
}

/**
 * Add `--endpoint`, `--region`, `--profile` and `--path-style`/`--virtual-hosted`. Each
 * defaults to the standard AWS environment (`AWS_ENDPOINT_URL_S3`, `AWS_REGION`,
 * `AWS_PROFILE`, ~/.aws/config), so flags are only needed to override it.
 */
export function withS3Flags(command: Command): Command {
  return command
    .option(
      '--endpoint <url>',
      'S3 endpoint URL (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, AWS)',
    )
    .option('--region <region>', 'S3 region (default: $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1)')
    .option('--profile <name>', 'AWS profile for credentials (default: $AWS_PROFILE)')
    .option('--path-style', 'path-style URLs (default for a custom endpoint)')
    .option('--virtual-hosted', 'virtual-hosted-style URLs (default for AWS)');
}

/** The store settings the flags ask for. */
export function s3Options(flags: S3Flags & { virtualHosted?: boolean }): S3UrlOptions {
  const options: S3UrlOptions = {};
  if (flags.endpoint) options.endpoint = flags.endpoint;
  if (flags.region) options.region = flags.region;
  if (flags.profile) options.profile = flags.profile;
  if (flags.pathStyle) options.forcePathStyle = true;
  if (flags.virtualHosted) options.forcePathStyle = false;
  return options;
}

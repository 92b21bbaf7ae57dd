import { execFileSync } from 'node:child_process';

/** The S3 server the suite runs against, and whether this run started it. */
export interface S3Server {
  env: Record<string, string>;
  startedHere: boolean;
}

/**
 * The server named by S3_ENDPOINT, or one started with scripts/start-minio.sh (which reuses a
 * server it started earlier and says so with S3LITE_SERVER_REUSED=1), as the test runner does.
 */
export function ensureS3Server(): S3Server {
  const given = process.env;
  if (given.S3_ENDPOINT) {
    return {
      env: {
        S3_ENDPOINT: given.S3_ENDPOINT,
        S3_BUCKET: given.S3_BUCKET ?? 's3lite-test',
        AWS_REGION: given.AWS_REGION ?? 'us-east-1',
        AWS_ACCESS_KEY_ID: given.AWS_ACCESS_KEY_ID ?? '',
        AWS_SECRET_ACCESS_KEY: given.AWS_SECRET_ACCESS_KEY ?? '',
      },
      startedHere: false,
    };
  }
  const exports = execFileSync('bash', ['scripts/start-minio.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env: Record<string, string> = {};
  for (const line of exports.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1] as string] = (match[2] as string).replace(/^'(.*)'$/, '$1');
  }
  return { env, startedHere: env.S3LITE_SERVER_REUSED !== '1' };
}

/** Stop the server if this run started it; one that was running before belongs to others. */
export function releaseS3Server(server: S3Server): void {
  if (server.startedHere) execFileSync('bash', ['scripts/stop-minio.sh'], { stdio: 'inherit' });
}

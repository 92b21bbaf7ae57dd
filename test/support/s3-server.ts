import { execFileSync } from 'node:child_process';

/** The S3 server a run uses (tests, torture, bench), and whether this run started it. */
export interface S3Server {
  /**
   * Its settings as environment variables: S3_ENDPOINT, S3_BUCKET, AWS_REGION and the
   * credentials, with whatever else scripts/start-minio.sh exported when it started it.
   */
  env: Record<string, string>;
  /** Whether the run must stop it at its end: a server that was running before is others'. */
  startedHere: boolean;
}

/**
 * The server named by S3_ENDPOINT, or one started with scripts/start-minio.sh (which reuses a
 * server it started earlier and says so with S3LITE_SERVER_REUSED=1), so that a run needs
 * nothing running beforehand. Changes nothing in this process's environment.
 */
export function ensureS3Server(): S3Server {
  const given = process.env;
  if (given.S3_ENDPOINT) {
    const env: Record<string, string> = {
      S3_ENDPOINT: given.S3_ENDPOINT,
      S3_BUCKET: given.S3_BUCKET ?? 's3lite-test',
      AWS_REGION: given.AWS_REGION ?? 'us-east-1',
    };
    if (given.AWS_ACCESS_KEY_ID) env.AWS_ACCESS_KEY_ID = given.AWS_ACCESS_KEY_ID;
    if (given.AWS_SECRET_ACCESS_KEY) env.AWS_SECRET_ACCESS_KEY = given.AWS_SECRET_ACCESS_KEY;
    return { env, startedHere: false };
  }
  const started = performance.now();
  const exports = execFileSync('bash', ['scripts/start-minio.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env = parseExports(exports);
  console.error(`S3 server ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { env, startedHere: env.S3LITE_SERVER_REUSED !== '1' };
}

/** Connection settings of the S3 server the suites run against. */
export interface S3TestServer {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** The server's settings as a client needs them: `Error` naming what its environment lacks. */
export function s3Settings({ env }: S3Server): S3TestServer {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set (S3_ENDPOINT is ${env.S3_ENDPOINT})`);
    return value;
  };
  return {
    endpoint: need('S3_ENDPOINT'),
    bucket: env.S3_BUCKET ?? 's3lite-test',
    accessKeyId: need('AWS_ACCESS_KEY_ID'),
    secretAccessKey: need('AWS_SECRET_ACCESS_KEY'),
    region: env.AWS_REGION ?? 'us-east-1',
  };
}

/**
 * The environment through which a process the tests start (the s3lite command, a README
 * example, an installed package) reaches the test server: the AWS SDK's own variables.
 */
export function sdkEnv(s3: S3TestServer): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: s3.region,
  };
}

/** Stop the server if this run started it. */
export function releaseS3Server(server: S3Server): void {
  if (server.startedHere) execFileSync('bash', ['scripts/stop-minio.sh'], { stdio: 'inherit' });
}

/** The `export NAME=value` lines a shell script printed; it may single-quote the values. */
function parseExports(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) vars[match[1] as string] = (match[2] as string).replace(/^'(.*)'$/, '$1');
  }
  return vars;
}

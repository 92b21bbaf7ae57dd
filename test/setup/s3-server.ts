import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

/** Connection settings of the S3 server the suites run against. */
export interface S3TestServer {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3TestServer;
  }
}

let startedHere = false;

/**
 * Use the server named by S3_ENDPOINT, or start one with scripts/start-minio.sh (and stop
 * it when the run ends), so that `npm test` needs nothing running beforehand.
 */
export function setup(project: TestProject): void {
  const found = ensureS3Server();
  startedHere = found.startedHere;
  project.provide('s3', found.server);
}

export function teardown(): void {
  if (startedHere) stopS3Server();
}

/**
 * The server named by S3_ENDPOINT, or one started by scripts/start-minio.sh; `startedHere`
 * says whether it is this run's to stop (a server running before belongs to someone else).
 */
export function ensureS3Server(): { server: S3TestServer; startedHere: boolean } {
  let env: Record<string, string | undefined> = process.env;
  let started = false;
  if (!env.S3_ENDPOINT) {
    const startTime = performance.now();
    const exports = execFileSync('bash', ['scripts/start-minio.sh'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const vars = parseExports(exports);
    started = vars.S3LITE_SERVER_REUSED !== '1';
    env = { ...env, ...vars };
    console.error(`S3 server ready in ${((performance.now() - startTime) / 1000).toFixed(1)} s`);
  }
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set (S3_ENDPOINT is ${env.S3_ENDPOINT})`);
    return value;
  };
  const server = {
    endpoint: need('S3_ENDPOINT'),
    bucket: env.S3_BUCKET ?? 's3lite-test',
    accessKeyId: need('AWS_ACCESS_KEY_ID'),
    secretAccessKey: need('AWS_SECRET_ACCESS_KEY'),
    region: env.AWS_REGION ?? 'us-east-1',
  };
  return { server, startedHere: started };
}

/** Stop the server that {@link ensureS3Server} started. */
export function stopS3Server(): void {
  execFileSync('bash', ['scripts/stop-minio.sh'], { stdio: 'inherit' });
}

function parseExports(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) vars[match[1] as string] = (match[2] as string).replace(/^'(.*)'$/, '$1');
  }
  return vars;
}

import type { TestProject } from 'vitest/node';
import { ensureS3Server, releaseS3Server, type S3Server } from './s3-server.js';

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

let server: S3Server | undefined;

/**
 * Vitest's global setup: the suites' S3 server (see {@link ensureS3Server}), stopped when the
 * run ends if the run started it, so that `npm test` needs nothing running beforehand.
 */
export function setup(project: TestProject): void {
  server = ensureS3Server();
  const env = server.env;
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set (S3_ENDPOINT is ${env.S3_ENDPOINT})`);
    return value;
  };
  project.provide('s3', {
    endpoint: need('S3_ENDPOINT'),
    bucket: env.S3_BUCKET ?? 's3lite-test',
    accessKeyId: need('AWS_ACCESS_KEY_ID'),
    secretAccessKey: need('AWS_SECRET_ACCESS_KEY'),
    region: env.AWS_REGION ?? 'us-east-1',
  });
}

export function teardown(): void {
  if (server) releaseS3Server(server);
}

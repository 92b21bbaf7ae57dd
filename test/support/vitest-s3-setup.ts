import type { TestProject } from 'vitest/node';
import {
  ensureS3Server,
  releaseS3Server,
  s3Settings,
  type S3Server,
  type S3TestServer,
} from './s3-server.js';

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
  project.provide('s3', s3Settings(server));
}

export function teardown(): void {
  if (server) releaseS3Server(server);
}

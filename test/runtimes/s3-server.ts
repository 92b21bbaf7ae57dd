import {
  ensureS3Server,
  releaseS3Server,
  s3Settings,
  type S3TestServer,
} from '../support/s3-server.js';

/** Run `fn` with the test S3 server (the suites' own), stopping it after if started here. */
export async function withS3Server(fn: (server: S3TestServer) => Promise<void>): Promise<void> {
  const server = ensureS3Server();
  try {
    await fn(s3Settings(server));
  } finally {
    releaseS3Server(server);
  }
}

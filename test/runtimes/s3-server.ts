import { ensureS3Server, stopS3Server, type S3TestServer } from '../setup/s3-server.js';

/** Run `fn` with the test S3 server (the suites' own), stopping it after if started here. */
export async function withS3Server(fn: (server: S3TestServer) => Promise<void>): Promise<void> {
  const { server, startedHere } = ensureS3Server();
  try {
    await fn(server);
  } finally {
    if (startedHere) stopS3Server();
  }
}

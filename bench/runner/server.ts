import { readFileSync } from 'node:fs';
import { ensureS3Server, releaseS3Server, type S3Server } from '../../test/support/s3-server.js';

/** The S3 server a run uses, and what runs there. */
export interface Server {
  endpoint: string;
  /** What runs there, as far as is known ("ceph", "minio", … or "unknown"). */
  backend: string;
  running: S3Server;
}

/**
 * The server the tests would use (see {@link ensureS3Server}); its settings are exported to
 * this process and its children.
 */
export function ensureServer(): Server {
  const running = ensureS3Server();
  Object.assign(process.env, running.env);
  const endpoint = running.env.S3_ENDPOINT as string;
  return { endpoint, backend: backendOf(endpoint), running };
}

export function stopServer(server: Server): void {
  releaseS3Server(server.running);
}

/** The state file of scripts/start-minio.sh names the backend it started at that endpoint. */
function backendOf(endpoint: string): string {
  const dir = process.env.S3LITE_STATE_DIR ?? `/tmp/s3lite-server-${process.getuid?.() ?? 0}`;
  try {
    const state = readFileSync(`${dir}/state`, 'utf8');
    if (!state.includes(`endpoint=${endpoint}`)) return 'unknown';
    return /^backend=(.*)$/m.exec(state)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

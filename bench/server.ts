import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The S3 server a run uses, and whether the run must stop it at the end. */
export interface Server {
  endpoint: string;
  /** What runs there, as far as is known ("ceph", "minio", … or "unknown"). */
  backend: string;
  stopAtEnd: boolean;
}

/**
 * Use the server named by S3_ENDPOINT, or start one with scripts/start-minio.sh as the tests
 * do; a server that was already running (S3LITE_SERVER_REUSED=1) belongs to someone else and
 * is left running. The variables it prints are exported to this process and its children.
 */
export function ensureServer(): Server {
  let stopAtEnd = false;
  if (!process.env.S3_ENDPOINT) {
    const exports = execFileSync('bash', ['scripts/start-minio.sh'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    for (const line of exports.split('\n')) {
      const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (match) process.env[match[1] as string] = unquote(match[2] as string);
    }
    stopAtEnd = process.env.S3LITE_SERVER_REUSED !== '1';
  }
  const endpoint = process.env.S3_ENDPOINT as string;
  return { endpoint, backend: backendOf(endpoint), stopAtEnd };
}

export function stopServer(server: Server): void {
  if (server.stopAtEnd) execFileSync('bash', ['scripts/stop-minio.sh'], { stdio: 'inherit' });
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

/** Values as a shell would read them: the script may print them in single quotes. */
function unquote(value: string): string {
  return value.replace(/^'(.*)'$/, '$1');
}

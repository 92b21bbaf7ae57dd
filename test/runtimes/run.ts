/**
 * `npm run test:runtimes`: the portable scenario in every runtime s3lite supports, against the
 * real S3 server (the one S3_ENDPOINT names, or one started here). Prints `<runtime>: ok` or
 * the failure per runtime, then `N passed, M failed`; exits 1 on any failure.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bun, deno, node } from './runners/process.js';
import { workerd } from './runners/workerd.js';
import { chromium } from './runners/chromium.js';
import type { Runtime } from './runners/runtime.js';
import { withS3Server } from './s3-server.js';

const runtimes: Runtime[] = [node, bun, deno, workerd, chromium];
const only = process.argv.slice(2);

const work = mkdtempSync(path.join(tmpdir(), 's3lite-runtimes-'));
let failed = 0;
let passed = 0;
try {
  await withS3Server(async (server) => {
    for (const runtime of runtimes) {
      if (only.length > 0 && !only.includes(runtime.name)) continue;
      const config = { ...server, prefix: `runtimes-${runtime.name}-${randomUUID().slice(0, 8)}` };
      const outcome = await runtime.run(config, work).catch((error: Error) => error.message);
      if (outcome === 'ok') passed++;
      else failed++;
      console.log(`${runtime.name}: ${outcome}`);
    }
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

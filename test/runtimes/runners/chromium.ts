import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { chromium as playwright } from 'playwright-core';
import { bundleEntry, WASM_FILE, wasmPath } from '../bundle.js';
import type { ScenarioConfig } from '../scenario.js';
import { serveDirectory } from '../static-server.js';
import type { Runtime } from './runtime.js';

/** Debian's chromium package (playwright's own browser downloads are not used). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What a browser needs from the bucket: the page's origin allowed, the methods and headers
 * s3lite sends, and ETag exposed (s3lite pins reads to it). README "Runtimes" shows it.
 */
export const BROWSER_CORS_RULE = {
  AllowedOrigins: ['*'],
  AllowedMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
  AllowedHeaders: ['*'],
  ExposeHeaders: ['ETag', 'Content-Length', 'Content-Range'],
  MaxAgeSeconds: 3600,
};

/** Headless Chromium: the scenario bundled into a static page served from a local server. */
export const chromium: Runtime = {
  name: 'chromium',
  async run(config, work) {
    const dir = path.join(work, 'chromium');
    mkdirSync(dir, { recursive: true });
    await bundleEntry('browser.ts', path.join(dir, 'browser.mjs'), config, {
      conditions: ['browser'],
    });
    copyFileSync(wasmPath, path.join(dir, WASM_FILE));
    writeFileSync(
      path.join(dir, 'index.html'),
      '<!doctype html><script type="module" src="browser.mjs"></script>\n',
    );
    await allowBrowsers(config);
    const server = await serveDirectory(dir);
    const browser = await playwright.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}/index.html`);
      const outcome = await page
        .waitForFunction(() => (globalThis as { scenarioOutcome?: string }).scenarioOutcome, null, {
          timeout: 120_000,
        })
        .then((handle) => handle.jsonValue());
      return errors.length > 0 ? `page error: ${errors.join('; ')}` : String(outcome);
    } finally {
      await browser.close();
      await server.close();
    }
  },
};

/** Put the browser CORS rule on the scenario's bucket. */
async function allowBrowsers(config: ScenarioConfig): Promise<void> {
  const client = new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
  });
  try {
    await client.send(
      new PutBucketCorsCommand({
        Bucket: config.bucket,
        CORSConfiguration: { CORSRules: [BROWSER_CORS_RULE] },
      }),
    );
  } finally {
    client.destroy();
  }
}

import { copyFileSync } from 'node:fs';
import * as path from 'node:path';
import { Miniflare } from 'miniflare';
import { bundleEntry, WASM_FILE, wasmPath } from '../bundle.js';
import type { Runtime } from './runtime.js';

/** Cloudflare's workerd, through miniflare: the scenario bundled as a Worker, run by a request. */
export const workerd: Runtime = {
  name: 'workerd',
  async run(config, work) {
    const dir = path.join(work, 'workerd');
    const script = path.join(dir, 'worker.mjs');
    await bundleEntry('worker.ts', script, config, {
      conditions: ['workerd', 'worker', 'browser'],
    });
    copyFileSync(wasmPath, path.join(dir, WASM_FILE));
    const worker = new Miniflare({
      modules: true,
      scriptPath: script,
      modulesRoot: dir,
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: '2026-04-01',
    });
    try {
      const response = await worker.dispatchFetch('http://localhost/');
      return (await response.text()).trim();
    } finally {
      await worker.dispose();
    }
  },
};

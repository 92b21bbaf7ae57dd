/**
 * The scenario as a Cloudflare Worker: each request runs it and answers `ok` or the failure.
 * Workers load WebAssembly only as modules compiled at deploy time: the .wasm is imported
 * and handed to s3lite.
 */
import wasm from '@journeyapps/wa-sqlite/dist/wa-sqlite-async.wasm';
import * as s3lite from '../../../src/web.js';
import { describeFailure } from '../report.js';
import { runScenario, type ScenarioConfig } from '../scenario.js';

/** Filled in by the runner when it bundles this file. */
declare const SCENARIO_CONFIG: ScenarioConfig;

s3lite.setSqliteWasm(wasm);

export default {
  async fetch(): Promise<Response> {
    return new Response(
      await runScenario(s3lite, SCENARIO_CONFIG).then(() => 'ok', describeFailure),
    );
  },
};

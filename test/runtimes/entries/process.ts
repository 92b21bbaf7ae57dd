/**
 * The scenario as a program for Node, Bun and Deno: prints `ok`, or the failure. Bundled by
 * the runner with `s3lite` left as an import of the built package (dist/), as an application
 * would load it.
 */
import * as s3lite from '../../../src/index.js';
import { runScenario, type ScenarioConfig } from '../scenario.js';
import { describeFailure } from '../report.js';

/** Filled in by the runner when it bundles this file. */
declare const SCENARIO_CONFIG: ScenarioConfig;

console.log(await runScenario(s3lite, SCENARIO_CONFIG).then(() => 'ok', describeFailure));

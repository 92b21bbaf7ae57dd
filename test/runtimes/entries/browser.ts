/**
 * The scenario in a web page: sets `scenarioOutcome` to `ok` or the failure. wa-sqlite finds
 * its .wasm beside the bundle, where the runner serves it (s3lite's default in a browser).
 */
import * as s3lite from '../../../src/web.js';
import { describeFailure } from '../report.js';
import { runScenario, type ScenarioConfig } from '../scenario.js';

/** Filled in by the runner when it bundles this file. */
declare const SCENARIO_CONFIG: ScenarioConfig;

const outcome = await runScenario(s3lite, SCENARIO_CONFIG).then(() => 'ok', describeFailure);
(globalThis as { scenarioOutcome?: string }).scenarioOutcome = outcome;

import type { ScenarioConfig } from '../scenario.js';

/** One runtime the scenario runs in. */
export interface Runtime {
  name: string;
  /**
   * Run the scenario there; resolves with its one line of outcome, `ok` or the failure.
   * `work` is a scratch directory of this run.
   */
  run(config: ScenarioConfig, work: string): Promise<string>;
}

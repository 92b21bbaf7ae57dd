import type { Location } from '../workers/io.js';
import { seededRandom } from '../../src/testing/index.js';
import {
  sleep,
  type TortureInput,
  type TortureMessage,
  type WorkerStats,
} from '../workers/torture-common.js';
import { ScriptProcess } from '../support/script-process.js';

/** How hard and how long to torture. */
export interface TortureConfig {
  location: Location;
  /** Environment of the workers (S3 settings). */
  env: NodeJS.ProcessEnv;
  durationMs: number;
  bankWorkers: number;
  logWorkers: number;
  readers: number;
  /** Milliseconds between two kills, drawn uniformly from this range. */
  killEveryMs: [number, number];
  accounts: number;
  initialBalance: number;
  graceMs: number;
  seed: number;
  faults: boolean;
}

/** Everything the workers told, gathered. */
export interface Gathered {
  /** Acknowledged transfers by id. */
  transfers: Map<string, { src: number; dst: number; amount: number }>;
  /** Acknowledged log rows. */
  logIds: Set<string>;
  /** The latest counters of every process that ever ran, by role. */
  stats: Map<string, { role: string; stats: WorkerStats }>;
  kills: Record<string, number>;
  processes: number;
  gcRuns: number;
  gcRemoved: number;
  gcBytesFreed: number;
  checks: { head: number; past: number };
  violations: string[];
}

/**
 * Runs the workers for `durationMs`: bank and log writers, a reader, a collector; kills a
 * random one with SIGKILL every few seconds and starts another in its place, then kills them
 * all. Returns what they acknowledged and counted.
 */
export async function supervise(config: TortureConfig): Promise<Gathered> {
  const next = seededRandom(config.seed);
  const gathered: Gathered = {
    transfers: new Map(),
    logIds: new Set(),
    stats: new Map(),
    kills: {},
    processes: 0,
    gcRuns: 0,
    gcRemoved: 0,
    gcBytesFreed: 0,
    checks: { head: 0, past: 0 },
    violations: [],
  };
  const running = new Set<ScriptProcess>();

  const receive = (message: TortureMessage, from: { role: string; id: string }) => {
    switch (message.type) {
      case 'ack-transfer': {
        const { id, src, dst, amount } = message;
        gathered.transfers.set(id, { src, dst, amount });
        break;
      }
      case 'ack-log':
        for (const id of message.ids) gathered.logIds.add(id);
        break;
      case 'stats':
        gathered.stats.set(from.id, { role: from.role, stats: message.stats });
        break;
      case 'gc':
        gathered.gcRuns += 1;
        gathered.gcRemoved += message.removed;
        gathered.gcBytesFreed += message.bytesFreed;
        break;
      case 'check':
        gathered.checks[message.past ? 'past' : 'head'] += 1;
        break;
      case 'violation':
        gathered.violations.push(`${from.id}: ${message.message}`);
        break;
    }
  };

  const start = (role: string, extra: object = {}) => {
    const id = `${role}${gathered.processes}`;
    const input: TortureInput = {
      location: config.location,
      id,
      seed: config.seed * 1000 + gathered.processes,
      faults: config.faults,
      accounts: config.accounts,
      initialBalance: config.initialBalance,
      graceMs: config.graceMs,
      ...extra,
    };
    gathered.processes += 1;
    const worker = new ScriptProcess(id, `test/workers/torture-${role}.ts`, input, {
      env: config.env,
      onMessage: (message) => receive(message as TortureMessage, { role, id }),
    });
    running.add(worker);
    void worker.exited.then(({ code, signal, stderr }) => {
      running.delete(worker);
      // Workers run until killed: ending on their own is a failure. The end of its stderr
      // says why.
      if (signal !== 'SIGKILL') {
        gathered.violations.push(
          `${id} exited by itself (code ${code}, signal ${signal}): ${stderr.slice(-4000)}`,
        );
      }
    });
    return worker;
  };

  const roles: Array<[string, object]> = [
    ...Array.from({ length: config.bankWorkers }, (): [string, object] => ['bank', {}]),
    // One log writer collects garbage by itself too (gcEvery).
    ...Array.from({ length: config.logWorkers }, (_, i): [string, object] => [
      'log',
      { autoGc: i === 0 },
    ]),
    ...Array.from({ length: config.readers }, (): [string, object] => ['reader', {}]),
    ['gc', {}],
  ];
  const workers = roles.map(([role, extra]) => ({ role, extra, process: start(role, extra) }));

  const ends = Date.now() + config.durationMs;
  while (Date.now() < ends && gathered.violations.length === 0) {
    const [min, max] = config.killEveryMs;
    await sleep(Math.min(min + next() * (max - min), Math.max(0, ends - Date.now())));
    if (Date.now() >= ends) break;
    const victim = workers[Math.floor(next() * workers.length)]!;
    await victim.process.kill();
    gathered.kills[victim.role] = (gathered.kills[victim.role] ?? 0) + 1;
    victim.process = start(victim.role, victim.extra);
  }
  await Promise.all([...running].map((worker) => worker.kill()));
  return gathered;
}

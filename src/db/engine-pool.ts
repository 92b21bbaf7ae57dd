import { checkWholeNumber } from '../option-checks.js';
import { loadSqliteRuntime, type SqliteRuntime } from './sqlite-runtime.js';

/**
 * Default cap on the SQLite engines of a process. An engine (one wa-sqlite module) runs one
 * call at a time and holds it for the whole of that call's store requests, so connections
 * beyond the cap share engines and wait for each other. 64 matches what an S3 store sends at
 * once (its default `concurrency` and HTTP sockets): past 64 connections waiting on requests,
 * the store's queue is the limit, not the engines. Measured (engines sharing one compiled
 * module): one engine costs ~0.5 MiB of RSS loaded (64: 31 MiB) and reserves 16.6 MiB of
 * WebAssembly memory, of which ~0.3 MiB was resident after its connection's 10 cold point
 * lookups; SQLite's own page cache (2 MiB by default) fills it further as a connection reads
 * more. A process with few connections loads few engines; {@link configureEngines} changes
 * the cap.
 */
export const DEFAULT_MAX_ENGINES = 64;

/** A connection's hold on one engine, for the connection's whole life. */
export interface EngineLease {
  readonly runtime: SqliteRuntime;
  /** Give the engine back (once): the connection no longer calls into it. */
  release(): void;
}

interface Engine {
  readonly runtime: Promise<SqliteRuntime>;
  /** Connections bound to the engine, those still waiting for it to load included. */
  connections: number;
}

/**
 * The SQLite engines of a process. Each engine has its own wa-sqlite module, VFS and mutex;
 * the page cache is not theirs (volumes own it) and stays shared by all. A new connection
 * gets the engine with the fewest connections, and a new engine is loaded instead while
 * every engine has one and the cap allows: independent connections then never queue behind
 * each other's store requests. Engines stay loaded once made (loading one costs ~15 ms of CPU
 * once the process compiled the module, ~100 ms for the first), and are reused by later
 * connections.
 */
export class EnginePool {
  private readonly engines: Engine[] = [];
  private max: number;

  constructor(
    maxEngines: number = DEFAULT_MAX_ENGINES,
    private readonly load: () => Promise<SqliteRuntime> = loadSqliteRuntime,
  ) {
    this.max = checkMaxEngines(maxEngines);
  }

  /** The cap on engines; lowering it unloads nothing, it only stops growth. */
  get maxEngines(): number {
    return this.max;
  }

  set maxEngines(value: number) {
    this.max = checkMaxEngines(value);
  }

  /** How many engines are loaded (or loading). */
  get size(): number {
    return this.engines.length;
  }

  /** Bind a new connection to an engine: the least used one, or a new one while all are used. */
  async acquire(): Promise<EngineLease> {
    const engine = this.choose();
    engine.connections++;
    let runtime: SqliteRuntime;
    try {
      runtime = await engine.runtime;
    } catch (error) {
      engine.connections--;
      throw error;
    }
    let released = false;
    return {
      runtime,
      release: () => {
        if (released) return;
        released = true;
        engine.connections--;
      },
    };
  }

  private choose(): Engine {
    const least = this.engines.reduce<Engine | undefined>(
      (best, engine) => (best && best.connections <= engine.connections ? best : engine),
      undefined,
    );
    if (least && (least.connections === 0 || this.engines.length >= this.max)) return least;
    const engine: Engine = { runtime: this.load(), connections: 0 };
    this.engines.push(engine);
    // A failed load (a missing .wasm, say) leaves no engine behind: the next open retries.
    engine.runtime.catch(() => {
      const index = this.engines.indexOf(engine);
      if (index >= 0) this.engines.splice(index, 1);
    });
    return engine;
  }
}

function checkMaxEngines(value: number): number {
  return checkWholeNumber('maxEngines', value, 1);
}

/** The engines of this process, shared by every connection it opens. */
export const processEngines = new EnginePool();

/**
 * Set how many SQLite engines this process may load (default {@link DEFAULT_MAX_ENGINES}).
 * Connections opened while fewer engines exist than connections get one of their own, so
 * their store requests overlap; past the cap, new connections share the least used engine,
 * and one connection's store wait then holds up the others on its engine. Each engine costs
 * memory (~0.5 MiB resident when loaded, 16.6 MiB reserved, see {@link DEFAULT_MAX_ENGINES}).
 * Lowering the cap unloads nothing.
 *
 * @throws InvalidArgumentError unless `maxEngines` is a whole number ≥ 1.
 */
export function configureEngines(options: { maxEngines: number }): void {
  processEngines.maxEngines = options.maxEngines;
}

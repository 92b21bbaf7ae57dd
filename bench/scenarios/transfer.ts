import pLimit from 'p-limit';
import { exportToFile, importFromFile } from '../../src/index.js';
import { aggregate, measure, type OpResult } from '../measure.js';
import { benchStore, type StoreSpec } from '../stores.js';

/**
 * Scenario 5. `raw`: the server's own rate for page-sized objects, PUT then GET, at each of a
 * few numbers of requests in flight (the best is the ceiling an import or export could reach:
 * a server short of CPU can be faster with fewer); `import` and `export`: a database file
 * through s3lite, in a process of its own so that its peak RSS is its own.
 */
export interface RawJob {
  kind: 'raw';
  prefix: string;
  objects: number;
  objectBytes: number;
  inFlight: number[];
}

export interface TransferJob {
  kind: 'import' | 'export';
  store: StoreSpec;
  prefix: string;
  file: string;
}

/** PUT then GET of every object with `inFlight` requests at a time. */
export interface RawLevel {
  inFlight: number;
  put: OpResult;
  get: OpResult;
  putMiBps: number;
  getMiBps: number;
}

export interface Raw {
  levels: RawLevel[];
  /** The best rates of all levels: the ceiling. */
  putMiBps: number;
  getMiBps: number;
}

export interface Transfer {
  run: OpResult;
  bytes: number;
  pages: number;
  miBps: number;
}

const MIB = 1048576;

export async function raw(job: RawJob): Promise<Raw> {
  const bench = benchStore({ backend: 's3', latencyMs: 0 });
  const body = new Uint8Array(job.objectBytes).map((_, i) => i & 0xff);
  const keys = Array.from({ length: job.objects }, (_, i) => `${job.prefix}/raw-${i}`);
  const rate = (ms: number) => (job.objects * job.objectBytes) / MIB / (ms / 1000);
  const levels: RawLevel[] = [];
  for (const inFlight of job.inFlight) {
    const limit = pLimit(inFlight);
    // Bodies are dropped as they arrive, as an export writes them out.
    const all = (fn: (key: string) => Promise<unknown>) =>
      measure(bench, () =>
        Promise.all(
          keys.map((key) =>
            limit(async () => {
              await fn(key);
            }),
          ),
        ),
      );
    const put = (await all((key) => bench.store.put(key, body))).sample;
    const get = (await all((key) => bench.store.get(key))).sample;
    levels.push({
      inFlight,
      put: aggregate([put]),
      get: aggregate([get]),
      putMiBps: rate(put.ms),
      getMiBps: rate(get.ms),
    });
  }
  await bench.base.deleteMany(keys);
  await bench.store.close();
  return {
    levels,
    putMiBps: Math.max(...levels.map((l) => l.putMiBps)),
    getMiBps: Math.max(...levels.map((l) => l.getMiBps)),
  };
}

export async function transfer(job: TransferJob): Promise<Transfer> {
  const bench = benchStore(job.store);
  const location = { store: bench.store, prefix: job.prefix };
  const { value: summary, sample } = await measure(bench, () =>
    job.kind === 'import' ? importFromFile(job.file, location) : exportToFile(location, job.file),
  );
  await bench.store.close();
  return {
    run: aggregate([sample]),
    bytes: summary.bytes,
    pages: summary.pages,
    miBps: summary.bytes / MIB / (sample.ms / 1000),
  };
}

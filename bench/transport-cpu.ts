/**
 * CPU per 4 KiB GET of the two S3 transports, the AWS SDK's (S3Store) and signed fetch
 * (FetchS3Store): the figure the lean request path of issue 14 is about. Client CPU only
 * (process.cpuUsage, user + system), so the server's speed and the machine's load count less
 * than in wall time; both stores read the same object, in alternating rounds.
 *
 *   npx tsx bench/transport-cpu.ts [GETs per round, default 2000] [rounds, default 3]
 *
 * Uses the S3 server named by S3_ENDPOINT (source /work/s3env.sh or scripts/start-minio.sh).
 */
import { randomUUID } from 'node:crypto';
import { FetchS3Store, S3Store, type BaseStore } from '../src/store/index.js';

const gets = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 3);
const inFlight = 16;
const need = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: source the S3 server's environment first`);
  return value;
};
const options = {
  bucket: process.env.S3_BUCKET ?? 's3lite-test',
  endpoint: need('S3_ENDPOINT'),
  region: process.env.AWS_REGION ?? 'us-east-1',
  credentials: {
    accessKeyId: need('AWS_ACCESS_KEY_ID'),
    secretAccessKey: need('AWS_SECRET_ACCESS_KEY'),
  },
};
const stores: Record<string, BaseStore> = {
  'S3Store (AWS SDK)': new S3Store(options),
  'FetchS3Store (aws4fetch)': new FetchS3Store(options),
};
const key = `bench-transport-${randomUUID().slice(0, 8)}/page`;
await stores['S3Store (AWS SDK)']?.put(key, new Uint8Array(4096).fill(7));

async function measure(store: BaseStore): Promise<{ cpuUs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < gets) await store.get(key);
    }),
  );
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / gets, wallMs: performance.now() - started };
}

const totals = new Map<string, { cpuUs: number; wallMs: number }[]>();
for (const store of Object.values(stores)) await measure(store); // warm up: connections, JIT
for (let round = 0; round < rounds; round++) {
  for (const [name, store] of Object.entries(stores)) {
    totals.set(name, [...(totals.get(name) ?? []), await measure(store)]);
  }
}
console.log(`${gets} GETs of 4 KiB per round, ${inFlight} in flight, ${rounds} rounds (median)`);
for (const [name, runs] of totals) {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const cpu = median(runs.map((r) => r.cpuUs)) ?? 0;
  const rate = median(runs.map((r) => gets / (r.wallMs / 1000))) ?? 0;
  console.log(`${name}: ${cpu.toFixed(0)} µs CPU per GET, ${rate.toFixed(0)} GETs/s`);
}
await stores['S3Store (AWS SDK)']?.delete(key);
await Promise.all(Object.values(stores).map((store) => store.close()));

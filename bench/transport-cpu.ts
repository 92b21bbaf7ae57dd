/**
 * CPU per 4 KiB GET and PUT of the S3 stores beside a raw signed request on the same
 * connections (aws4fetch's AwsClient over the global `fetch`, no store around it) and the
 * AWS SDK v3's own `send`: the figures of the lean request path of issue 14. Client CPU only
 * (process.cpuUsage, user + system), so the server's speed and the machine's load count less
 * than in wall time; every way is measured on the same object, in alternating rounds.
 *
 *   npx tsx bench/transport-cpu.ts [requests per round, default 2000] [rounds, default 3]
 *
 * Uses the S3 server named by S3_ENDPOINT (source /work/s3env.sh or scripts/start-minio.sh).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsClient } from 'aws4fetch';
import { FetchS3Store, S3Store } from '../src/store/index.js';

const requests = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 3);
const inFlight = 16;
const need = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: source the S3 server's environment first`);
  return value;
};
const bucket = process.env.S3_BUCKET ?? 's3lite-test';
const endpoint = need('S3_ENDPOINT').replace(/\/+$/, '');
const region = process.env.AWS_REGION ?? 'us-east-1';
const credentials = {
  accessKeyId: need('AWS_ACCESS_KEY_ID'),
  secretAccessKey: need('AWS_SECRET_ACCESS_KEY'),
};
const options = { bucket, endpoint, region, credentials };
const key = `bench-transport-${randomUUID().slice(0, 8)}/page`;
const page = new Uint8Array(4096).fill(7);

/** One request of a way to reach S3: a GET or a PUT of the 4 KiB page. */
interface Way {
  get(): Promise<unknown>;
  put(): Promise<unknown>;
}

function storeWay(store: S3Store | FetchS3Store): Way {
  return { get: () => store.get(key), put: () => store.put(key, page) };
}

/** What a store's request costs at least: sign, send, read the body, check the status. */
function rawSignedWay(): Way {
  const signer = new AwsClient({ ...credentials, service: 's3', region, retries: 0 });
  const url = `${endpoint}/${bucket}/${key}`;
  const send = async (init: RequestInit) => {
    const response = await signer.fetch(url, init);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  };
  return { get: () => send({ method: 'GET' }), put: () => send({ method: 'PUT', body: page }) };
}

/** The AWS SDK v3 alone, as S3Store sent every request before the lean path. */
function sdkWay(): Way & { close(): void } {
  const client = new S3Client({
    region,
    endpoint,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    get: async () => {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await response.Body?.transformToByteArray();
    },
    put: () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: page })),
    close: () => client.destroy(),
  };
}

const s3Store = new S3Store(options);
const fetchStore = new FetchS3Store(options);
const sdk = sdkWay();
const ways: Record<string, Way> = {
  'raw signed fetch (aws4fetch)': rawSignedWay(),
  S3Store: storeWay(s3Store),
  'FetchS3Store (aws4fetch)': storeWay(fetchStore),
  'AWS SDK v3 send': sdk,
};
await s3Store.put(key, page);

async function measure(request: () => Promise<unknown>): Promise<{ cpuUs: number; rate: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < requests) await request();
    }),
  );
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  return { cpuUs: (used.user + used.system) / requests, rate: requests / seconds };
}

const median = (values: number[]) =>
  values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const load = loadavg().map((l) => l.toFixed(1));
console.log(
  `${requests} requests of 4 KiB per round, ${inFlight} in flight, ${rounds} rounds (median); ` +
    `load average ${load.join(' ')}`,
);
for (const operation of ['get', 'put'] as const) {
  const runs = new Map<string, { cpuUs: number; rate: number }[]>();
  for (const way of Object.values(ways)) await measure(way[operation]); // warm up: connections, JIT
  for (let round = 0; round < rounds; round++) {
    for (const [name, way] of Object.entries(ways)) {
      runs.set(name, [...(runs.get(name) ?? []), await measure(way[operation])]);
    }
  }
  const raw = median(runs.get('raw signed fetch (aws4fetch)')?.map((r) => r.cpuUs) ?? []);
  for (const [name, results] of runs) {
    const cpu = median(results.map((r) => r.cpuUs));
    const rate = median(results.map((r) => r.rate));
    console.log(
      `${operation.toUpperCase()} ${name}: ${cpu.toFixed(0)} µs CPU per request ` +
        `(${(cpu / raw).toFixed(2)}× raw), ${rate.toFixed(0)} requests/s`,
    );
  }
}
await s3Store.delete(key);
await s3Store.close();
await fetchStore.close();
sdk.close();
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

import { once } from 'node:events';
import { writeSync } from 'node:fs';
import { FileStore, S3Store, type ObjectStore } from '../../src/store/index.js';

/**
 * Where a worker finds its database. There is no memory kind: a MemoryStore lives inside one
 * process, so no other process could ever see it.
 */
export type Location =
  { kind: 'file'; root: string; prefix: string } | { kind: 's3'; prefix: string };

/** Every worker's first argument, as JSON: its location plus what it is to do. */
export interface WorkerInput {
  location: Location;
}

export function input<T extends WorkerInput>(): T {
  const json = process.argv[2];
  if (json === undefined) throw new Error('usage: node --import tsx <worker>.ts <input JSON>');
  return JSON.parse(json) as T;
}

/** A store on the location; S3 settings come from the environment the test passes down. */
export function storeAt(location: Location): ObjectStore {
  if (location.kind === 'file') return new FileStore({ root: location.root });
  return new S3Store({
    bucket: env('S3_BUCKET'),
    endpoint: env('S3_ENDPOINT'),
    region: env('AWS_REGION'),
    credentials: {
      accessKeyId: env('AWS_ACCESS_KEY_ID'),
      secretAccessKey: env('AWS_SECRET_ACCESS_KEY'),
    },
  });
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/**
 * Send the test one message, a line of JSON on stdout. Written synchronously: a worker that
 * kills itself right afterwards must not leave the line behind in a stream buffer.
 */
export function send(message: object): void {
  writeSync(1, `${JSON.stringify(message)}\n`);
}

/** End this process at once, as a power cut would: no exit handlers, no flushing. */
export function crash(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('SIGKILL did not end the process');
}

/** Resolves when the test closes our stdin: the "go" of workers that must start together. */
export async function goSignal(): Promise<void> {
  process.stdin.resume();
  await once(process.stdin, 'end');
}

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FetchS3Store,
  S3Store,
  type S3Credentials,
  type S3CredentialsProvider,
} from '../../src/store/index.js';
import { failure } from '../support/failure.js';
import { s3Options } from '../support/stores.js';

/**
 * S3Store signs its page requests itself (aws4fetch) but keeps the AWS SDK's credential chain:
 * whatever the chain finds — environment, profile file, a provider of expiring credentials —
 * signs them, against the real server.
 */
const { credentials, ...location } = s3Options();
const wrong: S3Credentials = { ...credentials, secretAccessKey: 'not-the-secret-key' };
const key = () => `t-${randomUUID().slice(0, 8)}/creds`;
const roundTrip = async (store: S3Store | FetchS3Store) => {
  const k = key();
  await store.put(k, new TextEncoder().encode('x'));
  const read = await store.get(k);
  await store.delete(k);
  return new TextDecoder().decode(read.body);
};

afterEach(() => vi.unstubAllEnvs());

describe('S3Store finds credentials through the AWS default chain', () => {
  it('in the environment', async () => {
    vi.stubEnv('AWS_PROFILE', undefined);
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    const store = new S3Store(location);
    try {
      expect(await roundTrip(store)).toBe('x');
    } finally {
      await store.close();
    }
  });

  it('in a profile of the shared credentials file, ahead of the environment', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 's3lite-creds-'));
    const file = path.join(dir, 'credentials');
    const profile = (name: string, c: S3Credentials) =>
      `[${name}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\n`;
    writeFileSync(file, profile('right', credentials) + profile('wrong', wrong));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', file);
    vi.stubEnv('AWS_CONFIG_FILE', path.join(dir, 'config'));
    // The environment's keys are right: only the profile's wrong secret can make this fail.
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    const right = new S3Store({ ...location, profile: 'right' });
    const refused = new S3Store({ ...location, profile: 'wrong' });
    try {
      expect(await roundTrip(right)).toBe('x');
      const error = await failure(refused.get(key()));
      expect(error.code).toBe('ACCESS_DENIED');
      expect(error.message).toContain('SignatureDoesNotMatch');
      expect(error.message).not.toContain(wrong.secretAccessKey);
    } finally {
      await right.close();
      await refused.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each([
  ['S3Store', (credentials: S3CredentialsProvider) => new S3Store({ ...location, credentials })],
  [
    'FetchS3Store',
    (credentials: S3CredentialsProvider) => new FetchS3Store({ ...location, credentials }),
  ],
])('%s with a provider of expiring credentials', (_name, make) => {
  it('asks it again before they expire, and signs with the new keys', async () => {
    // Wrong keys that expire within the five-minute margin (twice: the SDK's own cache asks
    // again at once when given such keys), then the right ones for good.
    const expiring = () => ({ ...wrong, expiration: new Date(Date.now() + 60_000) });
    const given = [expiring(), expiring(), credentials];
    let calls = 0;
    const store = make(async () => given[Math.min(calls++, given.length - 1)] as S3Credentials);
    try {
      // A missing key: NOT_FOUND says the request was signed right, ACCESS_DENIED wrong.
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++) outcomes.push((await failure(store.head(key()))).code ?? '');
      expect(outcomes[0]).toBe('ACCESS_DENIED');
      expect(outcomes.slice(-2)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
      // Right keys without an expiry are kept: the provider is not asked per request.
      expect(calls).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('asks again after the provider failed, and reports the failure typed', async () => {
    let calls = 0;
    const store = make(async () => {
      if (calls++ === 0)
        throw Object.assign(new Error('no SSO session'), { name: 'CredentialsProviderError' });
      return credentials;
    });
    try {
      expect((await failure(store.get(key()))).code).toBe('CREDENTIALS');
      expect(await roundTrip(store)).toBe('x');
    } finally {
      await store.close();
    }
  });
});

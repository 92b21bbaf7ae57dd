import { describe, expect, it } from 'vitest';
import { FetchS3Store, S3Store, storeFromUrl } from '../../src/store/index.js';
import { failure } from '../support/failure.js';
import { s3Options } from '../support/stores.js';

/** Settings that make the default credential chain find nothing on this machine. */
function withoutCredentials<T>(run: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
  ]) {
    delete process.env[name];
  }
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  return run().finally(() => {
    process.env = saved;
  });
}

describe.each([
  ['S3Store', S3Store],
  ['FetchS3Store', FetchS3Store],
] as const)(
  '%s: bad input gives a typed error naming the cause, without a retry storm',
  (_name, Store) => {
    it('names a bucket that does not exist', async () => {
      const store = new Store({ ...s3Options(), bucket: 'no-such-bucket-s3lite' });
      const requests = [
        () => store.get('k'),
        () => store.list('p/'),
        () => store.put('k', new Uint8Array(1)),
      ];
      for (const request of requests) {
        const error = await failure(request());
        expect(error.code).toBe('NO_SUCH_BUCKET');
        expect(error.message).toContain('no-such-bucket-s3lite');
        expect(error.message).toContain(s3Options().endpoint);
      }
      expect(store.metrics.snapshot().retries).toBe(0);
      await store.close();
    });

    it('refuses wrong credentials as ACCESS_DENIED, once', async () => {
      const store = new Store({
        ...s3Options(),
        credentials: { accessKeyId: 'wrong', secretAccessKey: 'wrong-secret' },
      });
      const error = await failure(store.get('k'));
      expect(error.code).toBe('ACCESS_DENIED');
      expect(error.message).toContain(s3Options().bucket);
      expect(store.metrics.snapshot()).toMatchObject({ totalRequests: 1, retries: 0 });
      await store.close();
    });

    it('reports missing credentials as CREDENTIALS', async () => {
      await withoutCredentials(async () => {
        const { credentials: _, ...rest } = s3Options();
        // The SDK's chain fails at the first request; the fetch store has no chain to try.
        const error = await failure(Promise.resolve().then(() => new Store(rest).get('k')));
        expect(error.code).toBe('CREDENTIALS');
        expect(error.message).toContain('AWS_ACCESS_KEY_ID');
      });
    });

    // Bounded by the attempt budget (three requests), not by a wall-clock limit: these machines
    // are too noisy for one.
    it('reports an unreachable endpoint after its attempt budget', async () => {
      const store = new Store({
        ...s3Options(),
        endpoint: 'http://127.0.0.1:1',
        retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
      });
      const error = await failure(store.get('k'));
      expect(error.code).toBe('UNREACHABLE');
      expect(error.message).toContain('http://127.0.0.1:1');
      expect(store.metrics.snapshot().requests.get).toBe(3);
      await store.close();
    });

    it('rejects malformed endpoints and bucket names before any request', () => {
      expect(() => new Store({ ...s3Options(), endpoint: 'not a url' })).toThrow(
        /malformed S3 endpoint URL "not a url"/,
      );
      expect(() => new Store({ ...s3Options(), endpoint: 'ftp://host' })).toThrow(
        /http:\/\/ or https:\/\//,
      );
      expect(() => new Store({ ...s3Options(), bucket: 'b1' })).toThrow(/invalid bucket name "b1"/);
    });
  },
);

describe('storeFromUrl', () => {
  it('rejects malformed URLs before any request', async () => {
    expect(() => storeFromUrl('s3:///prefix')).toThrow(/names no bucket/);
    expect(() => storeFromUrl('http://x/y')).toThrow(/unsupported location URL/);
    expect(() => storeFromUrl('::')).toThrow(/malformed location URL/);
  });
});

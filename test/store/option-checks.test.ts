import { describe, expect, it } from 'vitest';
import { failure } from '../support/failure.js';
import { open } from '../../src/db/index.js';
import { MemoryStore, S3Store, storeFromUrl } from '../../src/store/index.js';
import { PageCache } from '../../src/volume/index.js';

/** Bad public options fail at once with INVALID_ARGUMENT naming the option and its range. */
describe('public options are validated', () => {
  const invalid = (fn: () => unknown): Error & { code?: string } => {
    try {
      fn();
    } catch (error) {
      return error as Error & { code?: string };
    }
    throw new Error('expected an error');
  };

  it.each([Infinity, NaN, 0, -5, 1.5])('new PageCache(%s)', (size) => {
    const error = invalid(() => new PageCache(size));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/PageCache size.*whole number ≥ 1/);
  });

  it.each([-1, 0, NaN, Infinity, 2 ** 40])('requestTimeoutMs: %s', (ms) => {
    const error = invalid(() => new MemoryStore({ requestTimeoutMs: ms }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/requestTimeoutMs must be a whole number from 1 to 2147483647/);
  });

  it.each([0, 2.5, NaN])('concurrency: %s', (concurrency) => {
    const error = invalid(() => new MemoryStore({ concurrency }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/concurrency must be a whole number ≥ 1/);
  });

  it.each([undefined, null, 42, {}])('open(%s)', async (location) => {
    const error = await failure(open(location as never));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/location URL string or \{ store, prefix \}/);
  });

  it('a file:// URL with an encoded "/"', () => {
    const error = invalid(() => storeFromUrl('file:///tmp/a%2Fb/db'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/not a local path/);
  });
});

describe('secrets never appear in messages', () => {
  const secret = 'hunter2-secret';

  it('a password in the endpoint URL is redacted from the location and errors', async () => {
    const store = new S3Store({
      bucket: 'bucket-b',
      endpoint: `http://user:${secret}@127.0.0.1:1`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      retry: { maxAttempts: 1 },
    });
    try {
      expect(store.location).not.toContain(secret);
      expect(store.location).toContain('user:***@127.0.0.1:1');
      const error = await failure(store.get('k'));
      expect(error.message).toContain('***');
      expect(error.message).not.toContain(secret);
    } finally {
      await store.close();
    }
  });

  it('a malformed endpoint URL with a password is refused without echoing it', () => {
    let message = '';
    try {
      new S3Store({ bucket: 'bucket-b', endpoint: `ftp://user:${secret}@host` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/must start with http/);
    expect(message).not.toContain(secret);
  });
});

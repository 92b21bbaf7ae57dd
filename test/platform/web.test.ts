import { describe, expect, it } from 'vitest';
import * as host from '../../src/platform/host.js';
import * as web from '../../src/platform/web.js';

/** Bytes that compress somewhat, like a page map: runs and noise. */
const sample = Uint8Array.from({ length: 100_000 }, (_, i) => (i % 97 < 40 ? 0 : (i * 31) >> 3));

describe('the web platform module agrees with the Node one it stands in for', () => {
  it('exports every name the host module does', () => {
    expect(Object.keys(web)).toEqual(expect.arrayContaining(Object.keys(host)));
  });

  it('computes the same CRC-32', () => {
    for (const data of [new Uint8Array(0), new TextEncoder().encode('123456789'), sample]) {
      expect(web.crc32(data)).toBe(host.crc32(data));
    }
    expect(web.crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('reads what the other deflated (checkpoints written anywhere open everywhere)', () => {
    expect(web.inflateRaw(host.deflateRaw(sample))).toEqual(sample);
    expect(new Uint8Array(host.inflateRaw(web.deflateRaw(sample)))).toEqual(sample);
  });

  it('stops inflating at a limit, and inflates the beginning of a stream, as Node does', () => {
    const deflated = host.deflateRaw(sample);
    for (const platform of [host, web]) {
      expect(() => platform.inflateRaw(deflated, sample.byteLength - 1)).toThrow(
        platform.InflateLimitError,
      );
      expect(new Uint8Array(platform.inflateRaw(deflated, sample.byteLength))).toEqual(sample);
      const head = platform.inflateRawPrefix(deflated.subarray(0, deflated.byteLength >> 1));
      expect(head.byteLength).toBeGreaterThan(0);
      expect(new Uint8Array(head)).toEqual(sample.subarray(0, head.byteLength));
    }
  });

  it('gives the same digests', () => {
    for (const algorithm of ['md5', 'sha256'] as const) {
      expect(web.digestHex(algorithm, sample)).toBe(host.digestHex(algorithm, sample));
      expect(web.digestHex(algorithm, 'naïve')).toBe(host.digestHex(algorithm, 'naïve'));
    }
  });

  it('says that its scope cannot follow async call chains', async () => {
    const scope = new web.AsyncScope<string>();
    expect(web.AsyncScope.tracked).toBe(false);
    expect(await scope.run('token', async () => scope.getStore())).toBeUndefined();
  });

  it('loads the .wasm from what setSqliteWasm was given', async () => {
    expect(await web.sqliteModuleOptions()).toEqual({});
    web.setSqliteWasm('https://example.com/sqlite.wasm');
    const byUrl = (await web.sqliteModuleOptions()) as { locateFile(): string };
    expect(byUrl.locateFile()).toBe('https://example.com/sqlite.wasm');
    const bytes = new Uint8Array([0, 97, 115, 109]);
    web.setSqliteWasm(bytes);
    expect(await web.sqliteModuleOptions()).toEqual({ wasmBinary: bytes });
  });
});

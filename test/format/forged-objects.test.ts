import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitLog, open } from '../../src/db/index.js';
import {
  checkpointKey,
  checksum,
  commitKey,
  encodeCheckpointHint,
  latestCheckpointKey,
  markerKey,
} from '../../src/format/index.js';
import { exportDatabase } from '../../src/serialize/index.js';
import { PageCache } from '../../src/volume/index.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Objects forged by someone with write access to the bucket: each one is whole (its checksum
 * holds) but carries fields no s3lite writer produces. Every reader must refuse it as
 * corruption naming the key, before allocating, looping or writing anything from it.
 */

type Fields = Record<string, unknown>;

/** A commit record body sealed with a valid checksum, as encodeCommitRecord would. */
function sealedRecord(fields: Fields): Uint8Array {
  const body = JSON.stringify(fields);
  const crc = checksum(new TextEncoder().encode(body)).toString(16);
  return new TextEncoder().encode(`${body}\n${crc}\n`);
}

function parseRecord(bytes: Uint8Array): Fields {
  return JSON.parse(new TextDecoder().decode(bytes).split('\n')[0] as string) as Fields;
}

/** Forgeries of commit record 2 (`pageCount` and `pages` of the real one are 2 and 1 page). */
const FORGED_COMMITS: Array<[string, (real: Fields) => Fields, RegExp]> = [
  ['a negative page count', (r) => ({ ...r, pageCount: -1 }), /invalid page count \(-1\)/],
  [
    'a page count above SQLite’s limit',
    (r) => ({ ...r, pageCount: 2 ** 32 }),
    /invalid page count/,
  ],
  ['a fractional page count', (r) => ({ ...r, pageCount: 2.5 }), /invalid page count/],
  ['junk instead of pages', (r) => ({ ...r, pages: 'junk' }), /no list of pages/],
  ['a junk page entry', (r) => ({ ...r, pages: [[1]] }), /invalid page entry/],
  ['a page beyond the page count', (r) => ({ ...r, pages: [[99, 1]] }), /page 99 .*beyond/],
  ['page 0', (r) => ({ ...r, pages: [[0, 1]] }), /page 0 /],
  [
    'pages out of order',
    (r) => ({
      ...r,
      pages: [
        [2, 1],
        [1, 1],
      ],
    }),
    /out of order/,
  ],
  ['a CRC that is no CRC-32', (r) => ({ ...r, pages: [[1, -5]] }), /invalid page entry/],
  ['an invalid page size', (r) => ({ ...r, pageSize: 1000 }), /invalid page size \(1000\)/],
  ['another commit’s number', (r) => ({ ...r, seq: 7 }), /holds commit 7/],
  ['a checkpoint not before it', (r) => ({ ...r, checkpoint: 2 }), /names checkpoint 2/],
  ['an invalid transaction id', (r) => ({ ...r, txid: '../../x' }), /transaction id/],
  ['an invalid time', (r) => ({ ...r, time: 'yesterday' }), /invalid time/],
  ['null instead of an object', () => null as unknown as Fields, /not a JSON object/],
];

describe.each(STORE_KINDS)('forged objects with valid checksums are corruption: %s', (kind) => {
  let area: TestArea;
  let location: { store: TestArea['store']; prefix: string };

  beforeEach(async () => {
    area = createTestArea(kind);
    location = { store: area.store, prefix: `${area.prefix}db` };
    const db = await open(location, { cache: new PageCache() });
    await db.exec('CREATE TABLE t(x)');
    await db.exec("INSERT INTO t VALUES ('a')");
    await db.close();
  });
  afterEach(() => area.cleanup());

  async function forgeCommit(seq: number, forge: (real: Fields) => Fields): Promise<string> {
    const key = commitKey(location.prefix, seq);
    const real = parseRecord((await area.store.get(key)).body);
    await area.store.put(key, sealedRecord(forge(real)));
    return key;
  }

  it.each(FORGED_COMMITS)('a commit record with %s', async (_, forge, message) => {
    const key = await forgeCommit(2, forge);
    const error = await failure(open(location, { cache: new PageCache() }));
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(key);
    expect(error.message).toMatch(message);
    const logError = await failure(commitLog(location));
    expect(logError.code).toBe('CORRUPT');
    expect(logError.message).toContain(key);
  });

  it('a page count of 2^31 that is otherwise valid: export writes nothing and fails', async () => {
    const key = await forgeCommit(2, (r) => ({ ...r, pageCount: 2 ** 31 }));
    const chunks: Uint8Array[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of exportDatabase(location)) chunks.push(chunk);
      })(),
    );
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(key);
    expect(chunks).toEqual([]);
  });

  it('a page count within SQLite’s limit that page 1 contradicts: the size check refuses it', async () => {
    const key = await forgeCommit(2, (r) => ({ ...r, pageCount: 1000 }));
    const db = await open(location, { cache: new PageCache(), readOnly: true });
    try {
      expect(db.stats().snapshot.pageCount).toBe(1000);
      const error = await failure(db.checkSize());
      expect(error.code).toBe('CORRUPT');
      expect(error.message).toContain(key);
      expect(error.message).toMatch(/page 1 says 8192/);
    } finally {
      await db.close();
    }
  });

  it('a marker with an invalid version', async () => {
    const key = markerKey(location.prefix);
    await area.store.put(key, new TextEncoder().encode('{"format":"s3lite","version":0.5}'));
    const error = await failure(open(location, { cache: new PageCache() }));
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(key);
  });

  it('a checkpoint hint ahead of the head: open and log both refuse it', async () => {
    await area.store.put(latestCheckpointKey(location.prefix), encodeCheckpointHint(1000));
    const missing = checkpointKey(location.prefix, 1000);
    const error = await failure(open(location, { cache: new PageCache() }));
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(missing);
    const logError = await failure(commitLog(location));
    expect(logError.code).toBe('CORRUPT');
    expect(logError.message).toContain(missing);
  });

  describe('checkpoints', () => {
    /** Commit enough to make checkpoint 2, and rewrite it with `forge` applied to its header. */
    async function forgeCheckpoint(
      forge: (header: Fields, arrays: Buffer) => [Fields, Buffer],
    ): Promise<string> {
      const db = await open(location, { cache: new PageCache(), checkpointInterval: 1 });
      await db.exec("INSERT INTO t VALUES ('b')");
      await db.close();
      const key = checkpointKey(location.prefix, 3);
      const bytes = Buffer.from((await area.store.get(key)).body);
      const payload = inflateRawSync(bytes.subarray(8));
      const headerLength = payload.readUInt32LE(0);
      const header = JSON.parse(payload.subarray(4, 4 + headerLength).toString()) as Fields;
      const [newHeader, arrays] = forge(header, payload.subarray(4 + headerLength));
      const headerBytes = Buffer.from(JSON.stringify(newHeader));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(headerBytes.byteLength);
      const compressed = deflateRawSync(Buffer.concat([length, headerBytes, arrays]));
      const out = Buffer.alloc(8 + compressed.byteLength);
      out.set(bytes.subarray(0, 4));
      out.writeUInt32LE(checksum(compressed), 4);
      out.set(compressed, 8);
      await area.store.put(key, out);
      return key;
    }

    const FORGED: Array<[string, (h: Fields, a: Buffer) => [Fields, Buffer], RegExp]> = [
      [
        'a page count that its arrays do not hold',
        (h, a) => [{ ...h, pageCount: 2 ** 31 }, a],
        /bytes of page map/,
      ],
      [
        'more pages than its compressed bytes can hold',
        (h, a) => [{ ...h, pageCount: 2 ** 24 }, a],
        /declares 16777216 pages .* more than its \d+ compressed bytes can hold/,
      ],
      [
        'a page map that inflates far past its declared size',
        (h, a) => [h, Buffer.concat([a, Buffer.alloc(16 << 20)])],
        /inflates past the \d+ bytes of page map its header declares/,
      ],
      ['a negative page count', (h, a) => [{ ...h, pageCount: -3 }, a], /invalid page count/],
      ['another checkpoint’s number', (h, a) => [{ ...h, seq: 9 }, a], /sequence number 9/],
      ['an invalid page size', (h, a) => [{ ...h, pageSize: 3 }, a], /invalid page size/],
      ['junk transaction ids', (h, a) => [{ ...h, txids: 'x' }, a], /transaction ids/],
      [
        'a page mapped to a transaction it does not list',
        (h, a) => {
          const arrays = Buffer.from(a);
          arrays.writeUInt32LE(77, 0);
          return [h, arrays];
        },
        /page 1 to no known transaction/,
      ],
    ];

    it.each(FORGED)('a checkpoint with %s', async (_, forge, message) => {
      const key = await forgeCheckpoint(forge);
      const error = await failure(open(location, { cache: new PageCache() }));
      expect(error.code).toBe('CORRUPT');
      expect(error.message).toContain(key);
      expect(error.message).toMatch(message);
    });
  });
});

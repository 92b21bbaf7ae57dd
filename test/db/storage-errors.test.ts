import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { open } from '../../src/db/index.js';
import { commitKey, decodeCommitRecord, pageKey } from '../../src/format/index.js';
import { FaultInjectingStore } from '../../src/testing/index.js';
import { PageCache } from '../../src/volume/index.js';
import { failure } from '../support/failure.js';
import { createTestArea, STORE_KINDS, type TestArea } from '../support/stores.js';

/**
 * A failure inside one of SQLite's file calls reaches the caller as the s3lite error that
 * caused it (typed, with its code and the key), not as wa-sqlite's untyped "database disk
 * image is malformed" or "disk I/O error": when opening as at any statement.
 */
describe.each(STORE_KINDS)('storage errors under SQLite reach the caller typed: %s', (kind) => {
  let area: TestArea;
  let location: { store: TestArea['store']; prefix: string };
  /** The key of each page of the head. */
  let headPages: Map<number, string>;
  let page1: string;

  beforeEach(async () => {
    area = createTestArea(kind);
    location = { store: area.store, prefix: `${area.prefix}db` };
    const db = await open(location, { cache: new PageCache() });
    await db.exec("CREATE TABLE t(x); INSERT INTO t VALUES ('a')");
    await db.close();
    // Each page's newest version (each statement above commits).
    headPages = new Map();
    for (let seq = 1; await exists(commitKey(location.prefix, seq)); seq++) {
      const key = commitKey(location.prefix, seq);
      const record = decodeCommitRecord(key, (await area.store.get(key)).body);
      for (const [pageNo, crc] of record.pages) {
        headPages.set(pageNo, pageKey(location.prefix, record.txid, pageNo, crc));
      }
    }
    page1 = headPages.get(1) as string;
  });
  afterEach(() => area.cleanup());

  async function exists(key: string): Promise<boolean> {
    return area.store.head(key).then(
      () => true,
      () => false,
    );
  }

  /** Open, then read: whichever step touches page 1 first must fail with the typed error. */
  async function openAndRead(store = location.store): Promise<Error & { code?: string }> {
    return failure(
      (async () => {
        const db = await open({ store, prefix: location.prefix }, { cache: new PageCache() });
        try {
          await db.query('SELECT * FROM t');
        } finally {
          await db.close();
        }
      })(),
    );
  }

  it('page 1 missing: CORRUPT naming its key', async () => {
    await area.store.delete(page1);
    const error = await openAndRead();
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(page1);
  });

  it('page 1 with a flipped byte: CORRUPT naming its key', async () => {
    const bytes = (await area.store.get(page1)).body.slice();
    bytes[200] = (bytes[200] as number) ^ 0xff;
    await area.store.put(page1, bytes);
    const error = await openAndRead();
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toContain(page1);
  });

  it('a page missing under a statement of an open database: CORRUPT naming its key', async () => {
    const db = await open(location, { cache: new PageCache() });
    try {
      await db.query('SELECT 1');
      const page2 = headPages.get(2) as string;
      await area.store.delete(page2);
      const error = await failure(db.query('SELECT * FROM t'));
      expect(error.code).toBe('CORRUPT');
      expect(error.message).toContain(page2);
    } finally {
      await db.close();
    }
  });

  it('the store answering 503 for pages while opening: the store error', async () => {
    const faulty = new FaultInjectingStore(area.store, {
      retry: { maxAttempts: 1 },
      rules: [{ kind: 'error', keys: /\/pages\//, operations: ['get'] }],
    });
    const error = await openAndRead(faulty);
    expect(error.code).toBe('STORE_ERROR');
    expect(error.message).toMatch(/503/);
  });
});

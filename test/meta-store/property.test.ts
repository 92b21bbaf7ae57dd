import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Filter,
  IndexedItem,
  IndexedObject,
  IndexedScalar,
  IndexedValue,
  MetaField,
  MetaStore,
  ResourceMeta,
  SearchQuery,
} from '../../src/meta-store/index.js';
import { STORE_KINDS } from '../support/stores.js';
import { checkedSearch, StoreFixture } from './helpers.js';

/*
 * Random records and random queries: every search and count must equal the reference
 * evaluator's answer. Each run commits some records and leaves others (and some deletes)
 * buffered, so both the table and the buffered overlay are queried.
 */

const isObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !(value instanceof Date);

const RUNS = Number(process.env.S3LITE_PROPERTY_RUNS ?? 40);
const QUERIES_PER_RUN = 6;
/**
 * A fixed seed keeps CI reproducible; set S3LITE_PROPERTY_SEED (and S3LITE_PROPERTY_RUNS) to
 * explore others. Seed 499394563 found that `'' endsWith ''` was UNKNOWN (SQLite's substr() of
 * an empty BLOB is NULL).
 */
const SEED = Number(process.env.S3LITE_PROPERTY_SEED ?? 20261121);

/** Characters that stress quoting, LIKE, UTF-8 and code point order. */
const CHARS = [
  'a',
  'b',
  'A',
  'é',
  '%',
  '_',
  '"',
  "'",
  ';',
  '-',
  '\\',
  '.',
  ' ',
  '\n',
  '𝄞',
  '\uFFFF',
  '\uE000',
  '\u{10FFFF}',
];
/** Mostly a few common strings, so conditions hit records; sometimes anything. */
const text = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('', 'a', 'ab', 'b', 'A', 'é', '%_', 'a"b', '𝄞', '\uE000'),
  },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 4 }) },
);
/** Usually left out. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
/** Indexed keys: dotted, quoted, LIKE and SQL metacharacters, one named like a meta field. */
const KEYS = [
  'a',
  'user.email',
  'we"ird',
  "it's",
  '%_;--',
  'back\\slash',
  'tab\tkey',
  'ünï',
  '𝄞',
  'createdBy',
];
const DATA_KEYS = KEYS.filter((key) => key !== 'createdBy');

const number = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.5, -0, 2 ** 53, 2 ** 60, -(2 ** 53) - 2, 1e21, 36708481407607780),
);
const date = fc
  .integer({ min: -2, max: 2 })
  .map((n) => new Date(Date.UTC(2024, 0, 1) + n * 3_600_000));
const nonNullScalar: fc.Arbitrary<Exclude<IndexedScalar, null>> = fc.oneof(
  text,
  number,
  fc.boolean(),
  date,
);
const scalar: fc.Arbitrary<IndexedScalar> = fc.oneof(nonNullScalar, fc.constant(null));
/** Small objects, so that equal ones come up: keys in any order, JSON values inside. */
const object: fc.Arbitrary<IndexedObject> = fc.dictionary(
  fc.constantFrom('a', 'b', 'c'),
  fc.oneof(
    fc.constantFrom('x', 'y'),
    fc.integer({ min: 0, max: 2 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 2 }),
  ),
  { maxKeys: 2 },
);
const nonNullItem: fc.Arbitrary<Exclude<IndexedItem, null>> = fc.oneof(
  { weight: 4, arbitrary: nonNullScalar },
  { weight: 1, arbitrary: object },
);
const list = fc.array(fc.oneof(nonNullItem, fc.constant(null)), { maxLength: 3 });
const value: fc.Arbitrary<IndexedValue> = fc.oneof(scalar, list, object);

const USERS = ['alice', 'bob', 'carol'];
const VERSIONS = [null, 'v1', 'v2'];
const id = fc.string({
  unit: fc.constantFrom('a', 'b', 'é', '"', '%', '𝄞'),
  minLength: 1,
  maxLength: 3,
});

const record = (resourceId: string): fc.Arbitrary<ResourceMeta> =>
  fc.record({
    resourceId: fc.constant(resourceId),
    currentRevisionId: fc.constantFrom('r1', 'r2'),
    totalRevisionCount: fc.integer({ min: 0, max: 3 }),
    createdTime: date,
    updatedTime: date,
    createdBy: fc.constantFrom(...USERS),
    updatedBy: fc.constantFrom(...USERS),
    isDeleted: fc.boolean(),
    schemaVersion: fc.constantFrom(...VERSIONS),
    indexedData: fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 5 }),
  });

const records = fc.uniqueArray(id, { maxLength: 25 }).chain((ids) => fc.tuple(...ids.map(record)));

const REGEXES = ['^a', 'b$', '[%_]', '\\.', 'é|𝄞', '^$', '"', "'", '\\\\', 'A'];
const flag = fc.option(fc.boolean(), { nil: undefined });

/** A condition on an indexed key, with a value of the shape its operator takes. */
const dataLeaf = (keys: string[]): fc.Arbitrary<Filter> => {
  const field = fc.constantFrom(...keys);
  const len = fc.record({ field, transform: fc.constant('len' as const) });
  return fc.oneof(
    fc.record({
      field,
      op: fc.constantFrom('eq' as const, 'ne' as const),
      value: fc.oneof(nonNullScalar, list, object),
    }),
    fc.record({
      field,
      op: fc.constantFrom('gt' as const, 'gte' as const, 'lt' as const, 'lte' as const),
      value: nonNullScalar,
    }),
    fc.record({ field, op: fc.constant('contains' as const), value: nonNullItem }),
    fc.record({
      field,
      op: fc.constantFrom('in' as const, 'notIn' as const),
      value: fc.array(nonNullItem, { maxLength: 3 }),
    }),
    fc.record({
      field,
      op: fc.constantFrom('startsWith' as const, 'endsWith' as const),
      value: text,
    }),
    fc.record({ field, op: fc.constant('regex' as const), value: fc.constantFrom(...REGEXES) }),
    fc.record(
      {
        field,
        op: fc.constantFrom('isNull' as const, 'exists' as const, 'isNa' as const),
        value: flag,
      },
      { requiredKeys: ['field', 'op'] },
    ),
    fc
      .tuple(
        len,
        fc.constantFrom('eq' as const, 'ne' as const, 'gt' as const, 'lte' as const),
        fc.integer({ min: 0, max: 4 }),
      )
      .map(([l, op, v]) => ({ ...l, op, value: v })),
    fc
      .tuple(
        len,
        fc.constantFrom('in' as const, 'notIn' as const),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
      )
      .map(([l, op, v]) => ({ ...l, op, value: v })),
  ) as fc.Arbitrary<Filter>;
};

/** A condition on a meta field, with a value of the field's type or (not equal) of another. */
const metaLeaf: fc.Arbitrary<Filter> = fc.oneof(
  fc
    .record({
      field: fc.constantFrom<MetaField>('isDeleted', 'createdTime', 'schemaVersion', 'createdBy'),
      op: fc.constantFrom('eq' as const, 'ne' as const, 'gt' as const, 'contains' as const),
      value: fc.oneof(nonNullScalar, object),
    })
    .filter((c) => c.op === 'eq' || c.op === 'ne' || !isObject(c.value))
    .filter((c) => c.op !== 'contains' || c.field === 'schemaVersion' || c.field === 'createdBy'),
  fc.record({
    field: fc.constantFrom<MetaField>('isDeleted', 'totalRevisionCount', 'schemaVersion'),
    op: fc.constantFrom('in' as const, 'notIn' as const),
    value: fc.array(nonNullItem, { maxLength: 3 }),
  }),
  fc.record({
    field: fc.constantFrom<MetaField>(
      'createdBy',
      'updatedBy',
      'currentRevisionId',
      'schemaVersion',
      'resourceId',
    ),
    op: fc.constantFrom(
      'eq' as const,
      'ne' as const,
      'gt' as const,
      'lte' as const,
      'contains' as const,
      'startsWith' as const,
      'endsWith' as const,
    ),
    value: fc.oneof(fc.constantFrom(...USERS, 'v1', 'r2', 'a'), text),
  }),
  fc.record({
    field: fc.constantFrom<MetaField>('schemaVersion', 'createdBy'),
    op: fc.constantFrom('in' as const, 'notIn' as const),
    value: fc.subarray(['v1', 'v2', 'alice', 'bob']),
  }),
  fc.record({
    field: fc.constantFrom<MetaField>('schemaVersion', 'resourceId'),
    op: fc.constant('regex' as const),
    value: fc.constantFrom(...REGEXES, 'v2'),
  }),
  fc.record(
    {
      field: fc.constantFrom<MetaField>('schemaVersion', 'createdBy'),
      op: fc.constantFrom('isNull' as const, 'exists' as const, 'isNa' as const),
      value: flag,
    },
    { requiredKeys: ['field', 'op'] },
  ),
  fc
    .record({
      field: fc.constant<MetaField>('schemaVersion'),
      op: fc.constantFrom('eq' as const, 'gte' as const, 'in' as const),
      transform: fc.constant('len' as const),
      value: fc.integer({ min: 1, max: 2 }),
    })
    .map((c) => (c.op === 'in' ? { ...c, value: [c.value] } : c)),
  fc.record({
    field: fc.constant<MetaField>('totalRevisionCount'),
    op: fc.constantFrom('eq' as const, 'ne' as const, 'gt' as const, 'lte' as const),
    value: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({
    field: fc.constant<MetaField>('isDeleted'),
    op: fc.constantFrom('eq' as const, 'ne' as const, 'gt' as const),
    value: fc.boolean(),
  }),
  fc.record({
    field: fc.constantFrom<MetaField>('createdTime', 'updatedTime'),
    op: fc.constantFrom('eq' as const, 'gte' as const, 'lt' as const),
    value: date,
  }),
) as fc.Arbitrary<Filter>;

const filters = (leaf: fc.Arbitrary<Filter>): fc.Arbitrary<Filter> =>
  fc.letrec<{ filter: Filter }>((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      leaf,
      fc.record({ and: fc.array(tie('filter'), { maxLength: 3 }) }),
      fc.record({ or: fc.array(tie('filter'), { maxLength: 3 }) }),
      fc.record({ not: fc.array(tie('filter'), { maxLength: 2 }) }),
    ),
  })).filter;

const sortField = fc.constantFrom<string>(
  ...KEYS.filter((key) => key !== 'createdBy'),
  'createdBy',
  'schemaVersion',
  'totalRevisionCount',
  'isDeleted',
  'updatedTime',
);

const query: fc.Arbitrary<SearchQuery> = fc
  .record({
    isDeleted: sometimes(fc.boolean()),
    createdTimeStart: sometimes(date),
    updatedTimeEnd: sometimes(date),
    createdBys: sometimes(fc.subarray(USERS)),
    conditions: fc.array(filters(fc.oneof(dataLeaf(DATA_KEYS), metaLeaf)), { maxLength: 2 }),
    dataConditions: sometimes(fc.array(filters(dataLeaf(KEYS)), { maxLength: 1 })),
    sorts: fc.array(
      fc.record({ field: sortField, direction: fc.constantFrom('asc' as const, 'desc' as const) }),
      { maxLength: 2 },
    ),
    limit: sometimes(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constant(Infinity))),
    offset: sometimes(fc.integer({ min: 0, max: 4 })),
  })
  .map(
    (q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as SearchQuery,
  );

const scenario = fc.record({
  records,
  /** How many of the records are committed; the rest stay buffered. */
  committed: fc.nat(),
  /** Committed ids deleted again in the buffer. */
  deleted: fc.array(fc.nat(), { maxLength: 3 }),
  queries: fc.array(query, { minLength: QUERIES_PER_RUN, maxLength: QUERIES_PER_RUN }),
});

describe.each(STORE_KINDS)('search matches the reference evaluator: %s', (kind) => {
  let fixture: StoreFixture;
  let store: MetaStore;

  beforeAll(async () => {
    fixture = new StoreFixture(kind);
    store = await fixture.open({ autoSync: false });
  });
  afterAll(() => fixture.cleanup());

  it(`agrees on ${RUNS * QUERIES_PER_RUN} random queries over random records`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ records, committed, deleted, queries }) => {
        await store.clear();
        const split = records.length === 0 ? 0 : committed % (records.length + 1);
        await store.saveMany(records.slice(0, split));
        await store.sync();
        await store.saveMany(records.slice(split));
        const gone = new Set(
          split === 0 ? [] : deleted.map((n) => (records[n % split] as ResourceMeta).resourceId),
        );
        for (const id of gone) await store.delete(id);
        const all = records.filter((meta) => !gone.has(meta.resourceId));
        expect(await store.size()).toBe(all.length);
        for (const q of queries) {
          await checkedSearch(store, all, q);
          // FALSE and UNKNOWN differ under NOT: check the negation of the conditions too.
          await checkedSearch(store, all, {
            conditions: [{ not: q.conditions ?? [] }],
            ...(q.dataConditions && { dataConditions: [{ not: q.dataConditions }] }),
            limit: Infinity,
          });
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

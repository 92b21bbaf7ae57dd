import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import type {
  Condition,
  Filter,
  IndexedScalar,
  IndexedValue,
  MetaStore,
  ResourceMeta,
  SearchQuery,
} from '../../src/meta-store/index.js';
import { STORE_KINDS } from '../support/stores.js';
import { checkedSearch, ids, meta, StoreFixture } from './helpers.js';

/*
 * Every operator, on every kind of value, with its expected answer written out; each search is
 * also checked against the reference evaluator (checkedSearch).
 */

const BORN = new Date('2000-01-01T00:00:00+02:00');

/** s4 has no indexed key at all and s5 has every key null: the null/missing rows. */
const RECORDS: ResourceMeta[] = [
  meta(
    's1',
    {
      name: 'Alice',
      age: 30,
      score: 1.5,
      active: true,
      tags: ['red', 'blue'],
      nums: [1, 2, 3],
      'user.email': 'alice@example.com',
      user: 'not the dotted key',
      nick: null,
      born: BORN,
      "it's": "O'Brien",
      'we"ird': 'say "hi"',
      '%_;--': '100%_done;--',
      music: '𝄞𝄞',
    },
    { createdBy: 'alice', updatedBy: 'bob', totalRevisionCount: 3, schemaVersion: 'v1' },
  ),
  meta(
    's2',
    {
      name: 'bob',
      age: 25,
      score: 2.25,
      active: false,
      tags: ['green'],
      nums: [10],
      'user.email': 'bob@test.org',
      // The same instant as s1's, written in another zone.
      born: new Date('1999-12-31T22:00:00Z'),
      "it's": 'plain',
      '%_;--': 'x',
    },
    {
      createdBy: 'bob',
      updatedBy: 'bob',
      createdTime: new Date('2024-01-01T00:00:00-05:00'),
      isDeleted: true,
      currentRevisionId: 'rev-b',
    },
  ),
  meta(
    's3',
    {
      name: 'Carol',
      age: 30.0,
      score: -0.5,
      active: true,
      tags: [],
      nums: [],
      nick: 'cc',
      born: new Date('2001-06-15T12:00:00+09:00'),
    },
    { createdBy: 'carol', updatedTime: new Date('2025-01-01T00:00:00Z'), schemaVersion: 'v2' },
  ),
  meta('s4', {}, { totalRevisionCount: 7 }),
  meta('s5', {
    name: null,
    age: null,
    score: null,
    active: null,
    tags: null,
    nums: null,
    nick: null,
    born: null,
    'user.email': null,
  }),
  // Values of other types than the others have under the same keys.
  meta('s6', { name: 42, age: '30', active: 1, tags: 'crimson', nums: '1,2,3', born: '2000' }),
];

/** [what, condition, ids expected]. */
const OPERATOR_CASES: Array<[string, Condition, string[]]> = [
  ['eq on strings, case-sensitively', { field: 'name', op: 'eq', value: 'Alice' }, ['s1']],
  ['eq with another case', { field: 'name', op: 'eq', value: 'alice' }, []],
  [
    'eq on integers (30 and 30.0 are one number)',
    { field: 'age', op: 'eq', value: 30 },
    ['s1', 's3'],
  ],
  ['eq on floats', { field: 'score', op: 'eq', value: 2.25 }, ['s2']],
  ['eq on booleans (1 is not true)', { field: 'active', op: 'eq', value: true }, ['s1', 's3']],
  ['eq on a string that looks like a number', { field: 'age', op: 'eq', value: '30' }, ['s6']],
  ['eq on lists of strings', { field: 'tags', op: 'eq', value: ['red', 'blue'] }, ['s1']],
  ['eq on lists, order matters', { field: 'tags', op: 'eq', value: ['blue', 'red'] }, []],
  ['eq on lists of integers', { field: 'nums', op: 'eq', value: [10] }, ['s2']],
  ['eq on the empty list', { field: 'tags', op: 'eq', value: [] }, ['s3']],
  [
    'ne on strings (other types are not equal)',
    { field: 'name', op: 'ne', value: 'Alice' },
    ['s2', 's3', 's6'],
  ],
  ['ne on integers', { field: 'age', op: 'ne', value: 30 }, ['s2', 's6']],
  ['ne on booleans', { field: 'active', op: 'ne', value: true }, ['s2', 's6']],
  ['ne on lists', { field: 'nums', op: 'ne', value: [10] }, ['s1', 's3', 's6']],
  ['gt on integers', { field: 'age', op: 'gt', value: 25 }, ['s1', 's3']],
  ['gte on floats', { field: 'score', op: 'gte', value: 1.5 }, ['s1', 's2']],
  ['lt on floats', { field: 'score', op: 'lt', value: 0 }, ['s3']],
  ['lte on integers', { field: 'age', op: 'lte', value: 25 }, ['s2']],
  ['gt on strings, by code point', { field: 'name', op: 'gt', value: 'C' }, ['s2', 's3']],
  ['gt on booleans', { field: 'active', op: 'gt', value: false }, ['s1', 's3']],
  ['gt across types is false', { field: 'age', op: 'gt', value: '3' }, ['s6']],
  [
    'contains a substring, case-sensitively',
    { field: 'name', op: 'contains', value: 'li' },
    ['s1'],
  ],
  ['contains with another case', { field: 'name', op: 'contains', value: 'LI' }, []],
  ['contains a string in a list', { field: 'tags', op: 'contains', value: 'red' }, ['s1']],
  ['contains is whole elements in lists', { field: 'tags', op: 'contains', value: 're' }, []],
  ['contains an integer in a list', { field: 'nums', op: 'contains', value: 2 }, ['s1']],
  ['contains a number, not its digits', { field: 'nums', op: 'contains', value: '2' }, ['s6']],
  ['startsWith', { field: 'name', op: 'startsWith', value: 'Al' }, ['s1']],
  ['startsWith, case-sensitively', { field: 'name', op: 'startsWith', value: 'al' }, []],
  ['endsWith', { field: 'user.email', op: 'endsWith', value: '.org' }, ['s2']],
  ['in on integers', { field: 'age', op: 'in', value: [25, 31] }, ['s2']],
  ['in on strings', { field: 'name', op: 'in', value: ['bob', 'Carol'] }, ['s2', 's3']],
  ['in with values of several types', { field: 'age', op: 'in', value: ['30', 25] }, ['s2', 's6']],
  ['in an empty list', { field: 'age', op: 'in', value: [] }, []],
  ['notIn', { field: 'age', op: 'notIn', value: [30] }, ['s2', 's6']],
  [
    'notIn an empty list (not the rows without the key)',
    { field: 'age', op: 'notIn', value: [] },
    ['s1', 's2', 's3', 's6'],
  ],
  ['isNull: null is true, missing unknown', { field: 'nick', op: 'isNull' }, ['s1', 's5']],
  ['isNull false: present and not null', { field: 'nick', op: 'isNull', value: false }, ['s3']],
  ['exists: present, even null', { field: 'nick', op: 'exists' }, ['s1', 's3', 's5']],
  ['exists false', { field: 'nick', op: 'exists', value: false }, ['s2', 's4', 's6']],
  ['isNa: missing or null', { field: 'nick', op: 'isNa' }, ['s1', 's2', 's4', 's5', 's6']],
  ['isNa false', { field: 'nick', op: 'isNa', value: false }, ['s3']],
  ['regex, unanchored', { field: 'name', op: 'regex', value: 'o' }, ['s2', 's3']],
  ['regex, anchored', { field: 'user.email', op: 'regex', value: '^[ab].*@' }, ['s1', 's2']],
  [
    'regex from a RegExp, with its flags',
    { field: 'name', op: 'regex', value: /^ALICE$/i },
    ['s1'],
  ],
  [
    'len of strings, in code points',
    { field: 'music', op: 'eq', value: 2, transform: 'len' },
    ['s1'],
  ],
  ['len of strings', { field: 'name', op: 'eq', value: 5, transform: 'len' }, ['s1', 's3']],
  [
    'len of lists and strings',
    { field: 'tags', op: 'gt', value: 1, transform: 'len' },
    ['s1', 's6'],
  ],
  ['len of the empty list', { field: 'tags', op: 'eq', value: 0, transform: 'len' }, ['s3']],
  ['len in', { field: 'nums', op: 'in', value: [0, 1], transform: 'len' }, ['s2', 's3']],
  [
    'len of a number is unknown',
    { field: 'name', op: 'ne', value: 99, transform: 'len' },
    ['s1', 's2', 's3'],
  ],
];

/**
 * Every operator on every kind of value: a field of each kind in RECORDS, and for each
 * operator a condition value of the shape it takes (the answers come from the reference).
 */
const KIND_FIELDS: Array<[string, string, IndexedScalar, IndexedValue]> = [
  ['strings', 'name', 'Carol', 'Carol'],
  ['integers', 'age', 25, 25],
  ['floats', 'score', 1.5, 1.5],
  ['booleans', 'active', false, false],
  ['lists of strings', 'tags', 'red', ['red', 'blue']],
  ['lists of integers', 'nums', 2, [1, 2, 3]],
];
const MATRIX: Array<[string, string, Condition]> = KIND_FIELDS.flatMap(
  ([kind, field, scalar, value]) =>
    (
      [
        { op: 'eq', value },
        { op: 'ne', value },
        { op: 'gt', value: scalar },
        { op: 'gte', value: scalar },
        { op: 'lt', value: scalar },
        { op: 'lte', value: scalar },
        { op: 'contains', value: scalar },
        { op: 'startsWith', value: 'C' },
        { op: 'endsWith', value: 'l' },
        { op: 'in', value: [scalar, 'x', 0] },
        { op: 'notIn', value: [scalar] },
        { op: 'isNull' },
        { op: 'exists' },
        { op: 'isNa' },
        { op: 'regex', value: 'r' },
        { op: 'eq', value: 2, transform: 'len' },
      ] as Array<Omit<Condition, 'field'>>
    ).map((c): [string, string, Condition] => [
      `${c.op}${c.transform ? ' len' : ''}`,
      kind,
      { field, ...c } as Condition,
    ]),
);

/** A record without the key `k` and one where it is null. */
const NULLS = [meta('missing', {}), meta('null', { k: null })];

/** A condition on `k` with each operator that takes a value. */
const OPERATORS_WITH_VALUES: Condition[] = [
  { field: 'k', op: 'eq', value: 'x' },
  { field: 'k', op: 'ne', value: 'x' },
  { field: 'k', op: 'ne', value: [1] },
  { field: 'k', op: 'gt', value: 1 },
  { field: 'k', op: 'gte', value: 1 },
  { field: 'k', op: 'lt', value: 1 },
  { field: 'k', op: 'lte', value: 1 },
  { field: 'k', op: 'contains', value: 'x' },
  { field: 'k', op: 'startsWith', value: '' },
  { field: 'k', op: 'endsWith', value: '' },
  { field: 'k', op: 'in', value: [1, 'x'] },
  { field: 'k', op: 'notIn', value: [] },
  { field: 'k', op: 'regex', value: '' },
  { field: 'k', op: 'ne', value: 1, transform: 'len' },
  { field: 'k', op: 'notIn', value: [], transform: 'len' },
];

describe.each(STORE_KINDS)('search: %s', (kind) => {
  let fixture: StoreFixture;
  let store: MetaStore;
  /** A store holding only NULLS. */
  let nulls: MetaStore;
  const search = (query: SearchQuery) =>
    checkedSearch(store, RECORDS, { limit: Infinity, ...query });
  const where = (...conditions: Filter[]) => search({ conditions });

  beforeAll(async () => {
    fixture = new StoreFixture(kind);
    store = await fixture.open({ indexedFields: ['age', 'user.email'] });
    await store.saveMany(RECORDS);
    nulls = await fixture.open({ table: 'nulls' });
    await nulls.saveMany(NULLS);
  });
  afterAll(() => fixture.cleanup());

  it.each(OPERATOR_CASES)('%s', async (_, condition, expected) => {
    expect(await where(condition)).toEqual(expected);
  });

  it.each(MATRIX)('%s on %s, and its NOT, as the reference says', async (_, __, condition) => {
    await where(condition);
    await where({ not: [condition] });
  });

  it.each(OPERATORS_WITH_VALUES.map((c) => [c.op + (c.transform ? ' len' : ''), c]))(
    'makes %s unknown on a missing key and on null: neither it nor its NOT matches',
    async (_, condition) => {
      expect(await checkedSearch(nulls, NULLS, { conditions: [condition] })).toEqual([]);
      expect(await checkedSearch(nulls, NULLS, { conditions: [{ not: [condition] }] })).toEqual([]);
    },
  );

  it('combines with and, or, not, nested', async () => {
    const age30: Filter = { field: 'age', op: 'eq', value: 30 };
    const active: Filter = { field: 'active', op: 'eq', value: true };
    const named: Filter = { field: 'name', op: 'startsWith', value: 'C' };
    expect(await where({ and: [age30, named] })).toEqual(['s3']);
    expect(await where({ or: [named, { field: 'age', op: 'lt', value: 26 }] })).toEqual([
      's2',
      's3',
    ]);
    expect(await where({ not: [age30, named] })).toEqual(['s1', 's2', 's6']);
    expect(await where({ not: [{ or: [age30, { not: [active] }] }] })).toEqual([]);
    expect(await where({ and: [] }, { or: [{ and: [age30, active] }, { not: [] }] })).toEqual([
      's1',
      's3',
    ]);
    expect(await where({ or: [] })).toEqual([]);
    // NOT of unknown stays unknown: s4 and s5 (no age) are in neither answer.
    expect(await where({ not: [age30] })).toEqual(['s2', 's6']);
  });

  it('tests meta fields, and mixes them with indexed data', async () => {
    expect(await where({ field: 'createdBy', op: 'eq', value: 'bob' })).toEqual(['s2']);
    expect(await where({ field: 'updatedBy', op: 'in', value: ['bob'] })).toEqual(['s1', 's2']);
    expect(await where({ field: 'totalRevisionCount', op: 'gt', value: 2 })).toEqual(['s1', 's4']);
    expect(await where({ field: 'isDeleted', op: 'eq', value: true })).toEqual(['s2']);
    expect(await where({ field: 'schemaVersion', op: 'isNull' })).toEqual(['s2', 's4', 's5', 's6']);
    expect(await where({ field: 'schemaVersion', op: 'ne', value: 'v1' })).toEqual(['s3']);
    expect(await where({ field: 'currentRevisionId', op: 'startsWith', value: 'rev-' })).toEqual([
      's2',
    ]);
    expect(await where({ field: 'resourceId', op: 'regex', value: '[46]$' })).toEqual(['s4', 's6']);
    expect(await where({ field: 'createdBy', op: 'exists' })).toHaveLength(RECORDS.length);
    expect(
      await where({
        field: 'createdTime',
        op: 'lte',
        value: new Date('2024-01-01T06:00:00+01:00'),
      }),
    ).toEqual(['s2']);
    expect(await where({ field: 'createdBy', op: 'eq', value: 3, transform: 'len' })).toEqual([
      's2',
    ]);
    expect(
      await where(
        { field: 'age', op: 'eq', value: 30 },
        {
          or: [
            { field: 'schemaVersion', op: 'eq', value: 'v2' },
            { field: 'updatedBy', op: 'eq', value: 'bob' },
          ],
        },
      ),
    ).toEqual(['s1', 's3']);
    expect(await search({ isDeleted: false, createdBys: ['alice', 'carol'] })).toEqual([
      's1',
      's3',
      's4',
      's5',
      's6',
    ]);
    expect(
      await search({
        createdTimeStart: new Date('2024-01-01T05:00:00Z'),
        createdTimeEnd: new Date('2024-01-01T05:00:00Z'),
      }),
    ).toEqual(['s2']);
    expect(await search({ updatedTimeStart: new Date('2024-06-01T00:00:00Z') })).toEqual(['s3']);
  });

  it('sorts by meta fields and indexed paths, ties broken by resourceId', async () => {
    expect(await search({ sorts: [{ field: 'totalRevisionCount', direction: 'desc' }] })).toEqual([
      's4',
      's1',
      's2',
      's3',
      's5',
      's6',
    ]);
    expect(await search({ sorts: [{ field: 'schemaVersion' }] })).toEqual([
      's2',
      's4',
      's5',
      's6',
      's1',
      's3',
    ]);
    // Null and missing first, then booleans, numbers, Dates, strings, lists.
    expect(await search({ sorts: [{ field: 'age' }] })).toEqual([
      's4',
      's5',
      's2',
      's1',
      's3',
      's6',
    ]);
    expect(await search({ sorts: [{ field: 'born', direction: 'desc' }] })).toEqual([
      's6',
      's3',
      's1',
      's2',
      's4',
      's5',
    ]);
    expect(
      await search({ sorts: [{ field: 'tags' }, { field: 'name', direction: 'desc' }] }),
    ).toEqual(['s4', 's5', 's6', 's3', 's2', 's1']);
    expect(
      await search({ sorts: [{ field: 'updatedTime', direction: 'desc' }, { field: 'age' }] }),
    ).toEqual(['s3', 's4', 's5', 's2', 's1', 's6']);
  });

  it('pages through ties in a stable order', async () => {
    const sorts = [{ field: 'age' as const }, { field: 'isDeleted' }];
    const all = await search({ sorts });
    const pages: string[] = [];
    for (let offset = 0; offset < RECORDS.length; offset += 2) {
      pages.push(...(await checkedSearch(store, RECORDS, { sorts, limit: 2, offset })));
    }
    expect(pages).toEqual(all);
    expect(ids(await store.searchAll())).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
    expect(ids(await store.searchAll({ limit: 2, offset: 5 }))).toEqual(['s6']);
  });

  it('keeps \' " % _ ; -- in values and field paths as they are', async () => {
    expect(await where({ field: "it's", op: 'eq', value: "O'Brien" })).toEqual(['s1']);
    expect(await where({ field: 'we"ird', op: 'contains', value: '"hi"' })).toEqual(['s1']);
    expect(await where({ field: '%_;--', op: 'startsWith', value: '100%_' })).toEqual(['s1']);
    // Unescaped LIKE would let % and _ match anything.
    expect(await where({ field: '%_;--', op: 'contains', value: '%' })).toEqual(['s1']);
    expect(await where({ field: "it's", op: 'endsWith', value: '_' })).toEqual([]);
    expect(
      await where({ field: '%_;--', op: 'eq', value: "x'; DROP TABLE resource_meta; --" }),
    ).toEqual([]);
    expect(await where({ field: "x'); DROP TABLE resource_meta; --", op: 'exists' })).toEqual([]);
    expect(await store.size()).toBe(RECORDS.length);
  });

  it('takes the empty string as a prefix, suffix and part of every string, the empty one too', async () => {
    const empties = await fixture.open({ table: 'empties' });
    const records = [
      meta('blank', { k: '' }, { schemaVersion: '' }),
      meta('word', { k: 'x' }, { schemaVersion: 'v1' }),
      meta('none', { k: null }),
      meta('missing', {}),
    ];
    await empties.saveMany(records);
    for (const op of ['startsWith', 'endsWith', 'contains'] as const) {
      for (const field of ['k', 'schemaVersion']) {
        const condition: Condition = { field, op, value: '' };
        const where = (conditions: Filter[]) => checkedSearch(empties, records, { conditions });
        expect(await where([condition])).toEqual(['blank', 'word']);
        // Null and missing stay UNKNOWN, so NOT matches nothing either.
        expect(await where([{ not: [condition] }])).toEqual([]);
      }
    }
  });

  it('reads a dotted path as one literal key', async () => {
    expect(await where({ field: 'user.email', op: 'eq', value: 'bob@test.org' })).toEqual(['s2']);
    expect(await where({ field: 'user', op: 'exists' })).toEqual(['s1']);
    expect(await where({ field: 'user.email', op: 'exists', value: false })).toEqual([
      's3',
      's4',
      's6',
    ]);
  });

  it('compares Dates as instants, whatever zone they were written in', async () => {
    const sameInstant = new Date('1999-12-31T23:00:00+01:00');
    expect(await where({ field: 'born', op: 'eq', value: sameInstant })).toEqual(['s1', 's2']);
    expect(
      await where({ field: 'born', op: 'gt', value: new Date('2000-01-01T00:00:00Z') }),
    ).toEqual(['s3']);
    expect(
      await where({ field: 'born', op: 'in', value: [new Date('2001-06-15T03:00:00Z')] }),
    ).toEqual(['s3']);
    // A Date is not its ISO string.
    expect(await where({ field: 'born', op: 'eq', value: '2000' })).toEqual(['s6']);
    const [first] = await store.searchAll({
      conditions: [{ field: 'born', op: 'eq', value: BORN }],
    });
    expect(first?.indexedData.born).toEqual(new Date('1999-12-31T22:00:00.000Z'));
  });

  it('takes the legacy dataConditions, which name indexed keys only', async () => {
    const legacy = await fixture.open({ table: 'legacy' });
    const records = [
      meta('x', { createdBy: 'carol' }, { createdBy: 'alice' }),
      meta('y', { createdBy: 'alice' }, { createdBy: 'carol' }),
    ];
    await legacy.saveMany(records);
    const carol: Condition = { field: 'createdBy', op: 'eq', value: 'carol' };
    expect(await checkedSearch(legacy, records, { dataConditions: [carol] })).toEqual(['x']);
    expect(await checkedSearch(legacy, records, { conditions: [carol] })).toEqual(['y']);
    expect(
      await checkedSearch(legacy, records, { conditions: [carol], dataConditions: [carol] }),
    ).toEqual([]);
  });

  it('counts in SQL, ignoring limit and offset', async () => {
    expect(await store.count()).toBe(RECORDS.length);
    expect(
      await store.count({
        conditions: [{ field: 'age', op: 'eq', value: 30 }],
        limit: 1,
        offset: 1,
      }),
    ).toBe(2);
    expect(
      await store.count({ conditions: [{ field: 'name', op: 'regex', value: '^[A-Z]' }] }),
    ).toBe(2);
  });

  it.each<[string, unknown]>([
    ['an unknown operator', { conditions: [{ field: 'a', op: 'like', value: 'x' }] }],
    ['an unknown condition key', { conditions: [{ field: 'a', op: 'eq', value: 1, values: 2 }] }],
    ['an unknown query key', { condition: [] }],
    ['eq null', { conditions: [{ field: 'a', op: 'eq', value: null }] }],
    ['eq without a value', { conditions: [{ field: 'a', op: 'eq' }] }],
    ['gt with a list', { conditions: [{ field: 'a', op: 'gt', value: [1] }] }],
    ['in with a scalar', { conditions: [{ field: 'a', op: 'in', value: 1 }] }],
    ['in with a null', { conditions: [{ field: 'a', op: 'in', value: [null] }] }],
    ['startsWith a number', { conditions: [{ field: 'a', op: 'startsWith', value: 1 }] }],
    ['an invalid regex', { conditions: [{ field: 'a', op: 'regex', value: '(' }] }],
    ['isNull with a string', { conditions: [{ field: 'a', op: 'isNull', value: 'yes' }] }],
    [
      'contains on a number field',
      { conditions: [{ field: 'totalRevisionCount', op: 'contains', value: 1 }] },
    ],
    [
      'len of a Date field',
      { conditions: [{ field: 'createdTime', op: 'eq', value: 1, transform: 'len' }] },
    ],
    [
      'len with contains',
      { conditions: [{ field: 'a', op: 'contains', value: 1, transform: 'len' }] },
    ],
    [
      'len compared with a string',
      { conditions: [{ field: 'a', op: 'eq', value: '1', transform: 'len' }] },
    ],
    [
      'an unknown transform',
      { conditions: [{ field: 'a', op: 'eq', value: 1, transform: 'lower' }] },
    ],
    ['a group with two operators', { conditions: [{ and: [], or: [] }] }],
    ['a group that is not a list', { conditions: [{ not: { field: 'a', op: 'exists' } }] }],
    ['an empty field', { conditions: [{ field: '', op: 'exists' }] }],
    ['a string with U+0000', { conditions: [{ field: 'a', op: 'eq', value: 'a\u0000b' }] }],
    ['an invalid Date', { conditions: [{ field: 'a', op: 'eq', value: new Date(NaN) }] }],
    ['NaN', { conditions: [{ field: 'a', op: 'eq', value: NaN }] }],
    ['a negative limit', { limit: -1 }],
    ['a fractional offset', { offset: 1.5 }],
    ['a bad sort direction', { sorts: [{ field: 'a', direction: 'up' }] }],
    ['conditions that are not a list', { conditions: { field: 'a', op: 'exists' } }],
    ['a createdTimeStart that is not a Date', { createdTimeStart: '2024-01-01' }],
    ['an isDeleted that is not a boolean', { isDeleted: 0 }],
    ['createdBys that are not strings', { createdBys: ['alice', 1] }],
  ])('refuses %s with InvalidArgumentError', async (_, query) => {
    expect(() => store.search(query as SearchQuery)).toThrow(InvalidArgumentError);
    await expect(store.count(query as SearchQuery)).rejects.toThrow(InvalidArgumentError);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  fromAutoCrudQuery,
  type Filter,
  type MetaStore,
  type ResourceMeta,
} from '../../src/meta-store/index.js';
import { STORE_KINDS } from '../support/stores.js';
import { checkedSearch, ids, meta, StoreFixture } from './helpers.js';

/*
 * AutoCRUD's own meta-store tests and query-builder output, sent in its wire format (msgspec
 * JSON: tagged structs, snake_case names), with the answers AutoCRUD's tests expect. Each
 * search is also checked against the reference evaluator.
 */

const BASE = Date.parse('2023-01-01T12:00:00+08:00');
const minutes = (n: number): Date => new Date(BASE + n * 60_000);

/** AutoCRUD's regex sample (tests/meta_store/test_data_search_regex.py), plus a deleted user. */
const USERS: ResourceMeta[] = [
  ['u1', 'Alice', 'alice@company.com', 25, 'Engineering'],
  ['u2', 'Bob', 'bob@company.com', 30, 'Marketing'],
  ['u3', 'Charlie', 'charlie@external.org', 35, 'Engineering'],
  ['u4', 'Diana', 'diana@company.com', 28, 'Sales'],
  ['u5', 'Eve', 'eve@company.com', 32, 'Engineering'],
].map(([id, name, email, age, department], i) =>
  meta(
    id as string,
    {
      name: name as string,
      email: email as string,
      age: age as number,
      department: department as string,
      settings: { host: 'localhost', port: 5432 + i, tags: ['a'] },
    },
    { createdTime: minutes(i), updatedTime: minutes(10 - i), createdBy: 'test_user' },
  ),
);
const DELETED = meta(
  'u6',
  { name: 'Deleted User', age: 99 },
  { isDeleted: true, createdTime: minutes(6), updatedTime: minutes(6) },
);
const RECORDS = [...USERS, DELETED];

/** What msgspec writes for `DataSearchCondition(field_path, operator, value)`. */
const cond = (field_path: string, operator: string, value: unknown) => ({
  type: 'DataSearchCondition',
  field_path,
  operator,
  value,
  transform: null,
});
const group = (operator: string, conditions: object[]) => ({
  type: 'DataSearchGroup',
  operator,
  conditions,
});
/** `QB[name].is_truthy()`, as AutoCRUD's query builder writes it. */
const truthy = (name: string) =>
  group('and', [
    cond(name, 'is_null', false),
    cond(name, 'ne', false),
    cond(name, 'ne', 0),
    cond(name, 'ne', ''),
    cond(name, 'ne', []),
  ]);

describe.each(STORE_KINDS)('AutoCRUD queries: %s', (kind) => {
  let fixture: StoreFixture;
  let store: MetaStore;
  /** Ids the AutoCRUD query (JSON text) selects, checked against the reference. */
  const found = (query: object): Promise<string[]> =>
    checkedSearch(store, RECORDS, fromAutoCrudQuery(JSON.stringify(query)));

  beforeAll(async () => {
    fixture = new StoreFixture(kind);
    store = await fixture.open();
    await store.saveMany(RECORDS);
  });
  afterAll(() => fixture.cleanup());

  it('runs regex data conditions as AutoCRUD tests them', async () => {
    const search = (pattern: string) =>
      found({ data_conditions: [cond('email', 'regex', pattern)], limit: 10, offset: 0 });
    expect(await search(String.raw`.*@company\.com$`)).toEqual(['u1', 'u2', 'u4', 'u5']);
    expect(
      await found({ data_conditions: [cond('name', 'regex', '^A.*')], limit: 10, offset: 0 }),
    ).toEqual(['u1']);
  });

  it("takes the query builder's case-insensitive searches, sent with Python's (?i)", async () => {
    // icontains('ALICE'), istarts_with('a'), iends_with('E'): re.escape'd, with (?i) in front.
    expect(await found({ conditions: [cond('name', 'regex', '(?i)ALICE')] })).toEqual(['u1']);
    expect(await found({ conditions: [cond('name', 'regex', '(?i)^a')] })).toEqual(['u1']);
    expect(await found({ conditions: [cond('name', 'regex', '(?i)E$')] })).toEqual([
      'u1',
      'u3',
      'u5',
    ]);
    expect(
      await found({ conditions: [cond('email', 'regex', String.raw`(?i)^EVE@COMPANY\.COM$`)] }),
    ).toEqual(['u5']);
  });

  it('takes ~QB["is_deleted"] (NOT of is_truthy) as is_deleted == False', async () => {
    const falsy = await found({ conditions: [group('not', [truthy('is_deleted')])], limit: 100 });
    const eqFalse = await found({ conditions: [cond('is_deleted', 'eq', false)], limit: 100 });
    expect(falsy).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(falsy).toEqual(eqFalse);
    expect(await found({ conditions: [truthy('is_deleted')] })).toEqual(['u6']);
  });

  it('compares dict fields as JSON, whatever the order of their keys', async () => {
    const settings = { tags: ['a'], port: 5433, host: 'localhost' };
    expect(await found({ conditions: [cond('settings', 'eq', settings)] })).toEqual(['u2']);
    expect(await found({ conditions: [cond('settings', 'ne', settings)] })).toEqual([
      'u1',
      'u3',
      'u4',
      'u5',
    ]);
    expect(
      await found({
        conditions: [cond('settings', 'in', [settings, { host: 'localhost', port: 5432 }])],
      }),
    ).toEqual(['u2']);
    expect(await found({ conditions: [cond('settings', 'not_in', [settings])] })).toEqual([
      'u1',
      'u3',
      'u4',
      'u5',
    ]);
    expect(await found({ conditions: [cond('settings', 'isna', true)] })).toEqual(['u6']);
  });

  it("takes AutoCRUD's meta names, operators, groups and limits", async () => {
    expect(
      await found({
        conditions: [
          cond('created_by', 'eq', 'test_user'),
          cond('updated_time', 'lt', '2023-01-01T04:09:00Z'),
          group('or', [cond('name', 'starts_with', 'C'), cond('name', 'ends_with', 've')]),
        ],
      }),
    ).toEqual(['u3', 'u5']);
    expect(
      await found({
        is_deleted: false,
        created_time_start: '2023-01-01T04:01:00Z',
        created_time_end: '2023-01-01T12:03:00+08:00',
        created_bys: ['test_user'],
        conditions: [cond('department', 'not_in', ['Sales'])],
      }),
    ).toEqual(['u2', 'u3']);
    const all = { conditions: [cond('age', 'exists', true)], limit: 2 ** 63 - 1, offset: 0 };
    expect(await store.count(fromAutoCrudQuery(JSON.stringify(all)))).toBe(6);
    expect(await found(all)).toHaveLength(6);
    // JSON text keeps 2**63 - 1 exact; JSON.parse rounds it up, past any row count.
    const text = '{"conditions": [], "limit": 9223372036854775807, "offset": 0}';
    expect(ids(await store.searchAll(fromAutoCrudQuery(text)))).toHaveLength(6);
  });

  it('sorts by +field/-field strings and by sort structs', async () => {
    expect(await found({ sorts: ['-age'], limit: 3 })).toEqual(['u6', 'u3', 'u5']);
    expect(await found({ sorts: ['+created_time'], limit: 2 })).toEqual(['u1', 'u2']);
    expect(
      await found({
        sorts: [
          { type: 'ResourceDataSearchSort', direction: '+', field_path: 'department' },
          { type: 'ResourceMetaSearchSort', direction: '-', key: 'updated_time' },
        ],
        limit: 4,
      }),
    ).toEqual(['u6', 'u1', 'u3', 'u5']);
  });

  it('takes len and the other operators with their AutoCRUD names', async () => {
    const lenName = { ...cond('name', 'gt', 4), transform: 'len' };
    expect(await found({ conditions: [lenName] })).toEqual(['u1', 'u3', 'u4', 'u6']);
    expect(await found({ conditions: [cond('nick', 'is_null', true)] })).toEqual([]);
    expect(await found({ conditions: [cond('schema_version', 'is_null', true)] })).toHaveLength(6);
    expect(await found({ conditions: [cond('email', 'contains', 'external')] })).toEqual(['u3']);
  });
});

describe('the rule across types', () => {
  let fixture: StoreFixture;
  let store: MetaStore;
  const all = [...RECORDS, meta('v1', {}, { schemaVersion: 'v1' })];
  const where = (...conditions: Filter[]) => checkedSearch(store, all, { conditions });

  beforeAll(async () => {
    fixture = new StoreFixture('memory');
    store = await fixture.open({ indexedFields: ['created_by'] });
    await store.saveMany(all);
  });
  afterAll(() => fixture.cleanup());

  it('makes a meta field of another type not equal, never an error', async () => {
    expect(await where({ field: 'isDeleted', op: 'eq', value: 0 })).toEqual([]);
    expect(await where({ field: 'isDeleted', op: 'ne', value: '' })).toHaveLength(7);
    expect(await where({ field: 'createdTime', op: 'gt', value: '2024' })).toEqual([]);
    expect(await where({ field: 'createdTime', op: 'ne', value: '2024' })).toHaveLength(7);
    expect(await where({ field: 'totalRevisionCount', op: 'eq', value: [1] })).toEqual([]);
    expect(await where({ field: 'createdBy', op: 'notIn', value: [1, true] })).toHaveLength(7);
    expect(await where({ field: 'createdBy', op: 'in', value: [1, 'test_user'] })).toHaveLength(5);
    expect(await where({ field: 'createdBy', op: 'contains', value: 5 })).toEqual([]);
    expect(await where({ field: 'isDeleted', op: 'ne', value: { a: 1 } })).toHaveLength(7);
  });

  it('keeps a null meta field unknown, whatever the type of the value', async () => {
    // Only v1 has a schemaVersion: for the others `ne` is UNKNOWN, as for a null data value.
    expect(await where({ field: 'schemaVersion', op: 'ne', value: 3 })).toEqual(['v1']);
    expect(await where({ not: [{ field: 'schemaVersion', op: 'eq', value: 3 }] })).toEqual(['v1']);
  });

  it('refuses a snake_case meta name outside the adapter, suggesting the camelCase one', async () => {
    const query = { conditions: [{ field: 'is_deleted', op: 'eq' as const, value: false }] };
    expect(() => store.search(query)).toThrow(InvalidArgumentError);
    expect(() => store.search(query)).toThrow(/"isDeleted"/);
    expect(() => store.search({ sorts: [{ field: 'updated_time' }] })).toThrow(/"updatedTime"/);
    // Declared as an indexed-data key (indexedFields), or in dataConditions: a data key.
    expect(await where({ field: 'created_by', op: 'exists' })).toEqual([]);
    expect(
      await store.count({ dataConditions: [{ field: 'is_deleted', op: 'exists', value: false }] }),
    ).toBe(7);
  });

  it('returns records without sorts in resourceId order, not insertion order', async () => {
    const later = await fixture.open({ table: 'order' });
    await later.set('b', meta('b'));
    await later.set('a', meta('a'));
    await later.set('c', meta('c'));
    expect(ids(await later.searchAll(fromAutoCrudQuery({ conditions: [] })))).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('refuses what is not an AutoCRUD query, naming it', () => {
    expect(() => fromAutoCrudQuery('{')).toThrow(/not JSON/);
    expect(() => fromAutoCrudQuery({ condition: [] })).toThrow(/unknown key "condition"/);
    expect(() => fromAutoCrudQuery({ conditions: [cond('a', 'like', 'x')] })).toThrow(
      /unknown operator "like"/,
    );
    expect(() => fromAutoCrudQuery({ conditions: [group('xor', [])] })).toThrow(/xor/);
    expect(() => fromAutoCrudQuery({ created_time_start: 'yesterday' })).toThrow(/ISO 8601/);
    expect(() => fromAutoCrudQuery({ sorts: [{ key: 'created_by', direction: '+' }] })).toThrow(
      /key must be one of/,
    );
  });
});

describe('indexed objects', () => {
  let fixture: StoreFixture;
  let store: MetaStore;
  const config = { b: [1, { c: null }], a: 'x' };
  const records = [
    meta('o1', { config, list: [config, 2] }),
    meta('o2', { config: { a: 'x', b: [1, { c: null }] }, list: [{ a: 'y' }] }),
    meta('o3', { config: { a: 'x' }, list: [] }),
    meta('o4', { config: 'x' }),
  ];
  const where = (...conditions: Filter[]) => checkedSearch(store, records, { conditions });

  beforeAll(async () => {
    fixture = new StoreFixture('memory');
    store = await fixture.open({ encoding: 'msgpack' });
    await store.saveMany(records);
  });
  afterAll(() => fixture.cleanup());

  it('stores them as given and compares them structurally', async () => {
    expect((await store.get('o1'))?.indexedData.config).toEqual(config);
    expect(await where({ field: 'config', op: 'eq', value: config })).toEqual(['o1', 'o2']);
    expect(await where({ field: 'config', op: 'ne', value: { a: 'x' } })).toEqual([
      'o1',
      'o2',
      'o4',
    ]);
    expect(await where({ field: 'config', op: 'in', value: [{ a: 'x' }, 'x'] })).toEqual([
      'o3',
      'o4',
    ]);
    expect(await where({ field: 'list', op: 'contains', value: { a: 'y' } })).toEqual(['o2']);
    expect(
      await where({ field: 'list', op: 'eq', value: [{ b: [1, { c: null }], a: 'x' }, 2] }),
    ).toEqual(['o1']);
    expect(await where({ field: 'config', op: 'gt', value: 'a' })).toEqual(['o4']);
    // Objects sort last, by their canonical JSON text: '{"a":"x"}' after '{"a":"x","b":…}'.
    expect(
      await checkedSearch(store, records, { sorts: [{ field: 'config', direction: 'desc' }] }),
    ).toEqual(['o3', 'o1', 'o2', 'o4']);
  });

  it('refuses what cannot be stored as JSON, or would read back as a Date', async () => {
    const bad = async (value: unknown) =>
      expect(store.set('x', meta('x', { k: value } as never))).rejects.toThrow(
        InvalidArgumentError,
      );
    await bad({ $date: 1 });
    await bad({ when: new Date() });
    await bad({ n: NaN });
    await bad({ ['__proto__']: 1, toString: 1 });
    await bad(JSON.parse(`${'{"a":'.repeat(101)}1${'}'.repeat(101)}`));
    await bad(new Map());
    expect(() =>
      store.search({ conditions: [{ field: 'k', op: 'gt', value: { a: 1 } as never }] }),
    ).toThrow(/scalar/);
  });
});

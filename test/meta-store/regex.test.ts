import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import type { MetaStore, ResourceMeta } from '../../src/meta-store/index.js';
import { compilePattern, matchingTexts } from '../../src/meta-store/regex.js';
import { STORE_KINDS } from '../support/stores.js';
import { checkedSearch, meta, StoreFixture } from './helpers.js';

/*
 * The regex operator runs on RE2JS, in linear time: patterns that make a backtracking engine
 * take exponential time answer at once, what needs backtracking is refused by name, and long
 * scans yield to the event loop.
 */

/** With JavaScript's own engine, testing this against `^(a+)+$` takes longer than a day. */
const HOSTILE = `${'a'.repeat(48)}!`;

const RECORDS: ResourceMeta[] = [
  meta('r1', { s: HOSTILE }),
  meta('r2', { s: 'a'.repeat(48) }),
  meta('r3', { s: 'Alice\nBob' }),
  meta('r4', { s: 'ALICE' }),
];

describe.each(STORE_KINDS)('regex on a linear-time engine: %s', (kind) => {
  let fixture: StoreFixture;
  let store: MetaStore;
  const where = (value: string | RegExp) =>
    checkedSearch(store, RECORDS, { conditions: [{ field: 's', op: 'regex', value }] });

  beforeAll(async () => {
    fixture = new StoreFixture(kind);
    store = await fixture.open();
    await store.saveMany(RECORDS);
  });
  afterAll(() => fixture.cleanup());

  it('answers a catastrophic-backtracking pattern at once', async () => {
    expect(await where('^(a+)+$')).toEqual(['r2']);
    expect(
      await store.count({ conditions: [{ field: 's', op: 'regex', value: '(a|aa)+!' }] }),
    ).toBe(1);
  });

  it("turns Python's leading inline flags into flags", async () => {
    expect(await where('(?i)^alice')).toEqual(['r3', 'r4']);
    expect(await where('(?m)^Bob$')).toEqual(['r3']);
    expect(await where('(?s)Alice.Bob')).toEqual(['r3']);
    expect(await where('(?i)(?m)^BOB$')).toEqual(['r3']);
    expect(await where('(?ism)^bob$')).toEqual(['r3']);
    expect(await where('(?u)^ALICE$')).toEqual(['r4']);
    expect(await where(/^alice$/im)).toEqual(['r3', 'r4']);
  });
});

describe('regex patterns refused', () => {
  it.each([
    [String.raw`(a)\1`, 'backreference'],
    ['(?P<x>a)(?P=x)', 'named backreference'],
    ['a(?=b)', 'lookaround'],
    ['(?<!a)b', 'lookaround'],
    ['a(?#note)', 'comment group'],
    ['(?>a+)', 'atomic group'],
    ['(?(1)a|b)', 'conditional group'],
    [String.raw`a\Z`, String.raw`\z`],
    ['a++', 'possessive'],
    ['(?x) a', 'verbose'],
    ['(?a)\\w', 'ASCII'],
    ['(', 'invalid regular expression'],
    ['[a-z]{999}', 'instructions'],
  ])('%s, naming %s', (pattern, named) => {
    expect(() => compilePattern(pattern, 'the condition')).toThrow(InvalidArgumentError);
    expect(() => compilePattern(pattern, 'the condition')).toThrow(named);
  });

  it('leaves what looks like them inside a character class alone', () => {
    expect(compilePattern('[(?=]', 'c').test('=')).toBe(true);
    expect(compilePattern('[*+]+', 'c').test('+')).toBe(true);
    expect(compilePattern('(?P<name>a)', 'c').test('a')).toBe(true);
  });

  it('refuses RegExp flags it cannot honour', () => {
    expect(() => compilePattern(new RegExp('a', 'v'), 'c')).toThrow(/flag v/);
  });
});

describe('a long regex scan', () => {
  it('lets timers run while it tests values', async () => {
    // Far more than 10 ms of matching however fast the machine.
    const texts = Array.from({ length: 4000 }, (_, i) => `${'ab'.repeat(500)}${i}`);
    let ticked = false;
    setTimeout(() => (ticked = true), 0);
    const matches = await matchingTexts(compilePattern('(?i)B9+$', 'c'), texts);
    expect(ticked).toBe(true);
    expect(matches).toEqual(texts.filter((t) => /b9+$/i.test(t)));
  });
});

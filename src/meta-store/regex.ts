import { RE2JS } from 're2js';
import { InvalidArgumentError } from '../errors.js';
import { checkText } from './values.js';

/**
 * The `regex` operator's patterns, compiled for RE2JS: a pure-JavaScript port of RE2, which
 * matches in time linear in the input (no backtracking), so no pattern can freeze the process
 * the way `^(a+)+$` freezes JavaScript's own engine. It runs wherever JavaScript runs (no
 * WebAssembly or native code). What RE2 cannot do in linear time — backreferences,
 * lookaround, atomic groups, possessive quantifiers — is refused with an error naming it.
 */

/**
 * The largest program (RE2's count of instructions, roughly what each character of input
 * costs) a pattern may compile to. 1,000 allows any practical pattern (an e-mail pattern is
 * 11; `[a-z]{999}`, at 1,001, is refused) while bounding the time one stored value can take.
 */
export const MAX_PROGRAM_SIZE = 1000;

/** Python's inline flags that have an RE2 flag. */
const FLAG_OF_LETTER: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

/** Python's other inline flags, refused: RE2 has no equivalent. */
const UNSUPPORTED_FLAGS: Readonly<Record<string, string>> = {
  a: '(?a) (ASCII-only classes)',
  L: '(?L) (locale-dependent classes)',
  x: '(?x) (verbose patterns)',
};

/** Constructs that need backtracking, or are Python- or Perl-only, by the text that starts them. */
const UNSUPPORTED_SYNTAX: ReadonlyArray<[RegExp, string]> = [
  [/^\\[1-9]/, 'a backreference (\\1 …)'],
  [/^\(\?P=/, 'a named backreference (?P=name)'],
  [/^\(\?<?[=!]/, 'a lookaround assertion ((?=, (?!, (?<=, (?<!)'],
  [/^\(\?#/, 'a comment group (?#…)'],
  [/^\(\?>/, 'an atomic group (?>…)'],
  [/^\(\?\(/, 'a conditional group (?(…)…)'],
  [/^\\Z/, "Python's \\Z (write \\z for the end of the text)"],
  [/^[*+?}]\+/, 'a possessive quantifier (*+, ++, ?+, {n}+)'],
];

/** A compiled pattern: `test(text)` tells whether it matches somewhere in `text`. */
export type Pattern = RE2JS;

/**
 * Compile a `regex` condition's value: a pattern string (RE2 syntax, which Python's `re` and
 * JavaScript share for everyday patterns; Python's leading inline flags `(?i)`, `(?m)`, `(?s)`
 * and `(?u)` become flags) or a RegExp (its `i`, `m`, `s` flags kept; `g`, `y`, `d`, `u`
 * change nothing for a test).
 * @throws InvalidArgumentError naming what is wrong or unsupported.
 */
export function compilePattern(value: unknown, label: string): Pattern {
  const { pattern, flags } =
    value instanceof RegExp
      ? fromRegExp(value, label)
      : fromPython(checkText(value, `${label}: the pattern`), label);
  let compiled: Pattern;
  try {
    compiled = RE2JS.compile(pattern, flags);
  } catch (error) {
    const construct = unsupportedConstruct(pattern);
    throw new InvalidArgumentError(
      construct === undefined
        ? `${label}: invalid regular expression: ${(error as Error).message}`
        : `${label}: ${construct} is not supported (patterns run on RE2, a linear-time engine without backtracking)`,
    );
  }
  if (compiled.programSize() > MAX_PROGRAM_SIZE) {
    throw new InvalidArgumentError(
      `${label}: the pattern compiles to ${compiled.programSize()} instructions, more than the ${MAX_PROGRAM_SIZE} allowed (large counted repetitions such as {1000} cost one per count)`,
    );
  }
  return compiled;
}

function fromRegExp(regex: RegExp, label: string): { pattern: string; flags: number } {
  let flags = 0;
  for (const letter of regex.flags) {
    const flag = FLAG_OF_LETTER[letter];
    if (flag !== undefined) flags |= flag;
    else if (!'gydu'.includes(letter)) {
      throw new InvalidArgumentError(`${label}: the RegExp flag ${letter} is not supported`);
    }
  }
  return { pattern: RE2JS.translateRegExp(regex), flags };
}

/** Take Python's inline flags off the start of `pattern`. */
function fromPython(pattern: string, label: string): { pattern: string; flags: number } {
  let flags = 0;
  let rest = pattern;
  for (
    let group = /^\(\?([a-zA-Z]+)\)/.exec(rest);
    group;
    group = /^\(\?([a-zA-Z]+)\)/.exec(rest)
  ) {
    for (const letter of group[1] as string) {
      const unsupported = UNSUPPORTED_FLAGS[letter];
      if (unsupported !== undefined) {
        throw new InvalidArgumentError(`${label}: the inline flag ${unsupported} is not supported`);
      }
      const flag = FLAG_OF_LETTER[letter];
      // (?u) is Python's default for text; any other letter is left for RE2 to refuse.
      if (flag === undefined && letter !== 'u') return { pattern: rest, flags };
      flags |= flag ?? 0;
    }
    rest = rest.slice(group[0].length);
  }
  return { pattern: rest, flags };
}

/** The first construct of `pattern` (outside character classes) that RE2 lacks, named. */
function unsupportedConstruct(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (!inClass) {
      const rest = pattern.slice(i);
      const found = UNSUPPORTED_SYNTAX.find(([start]) => start.test(rest));
      if (found) return found[1];
    }
    if (char === '\\') i++;
    else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
  }
  return undefined;
}

/**
 * How long testing values may hold the event loop before it yields, in milliseconds: a scan
 * of many long values stays linear, but would still keep timers (a store's sync timer among
 * them) from running until it ends.
 */
const YIELD_AFTER_MS = 10;

/** The texts of `texts` that `pattern` matches, yielding to the event loop now and then. */
export async function matchingTexts(pattern: Pattern, texts: readonly string[]): Promise<string[]> {
  const matches: string[] = [];
  let since = performance.now();
  for (const text of texts) {
    if (pattern.test(text)) matches.push(text);
    if (performance.now() - since >= YIELD_AFTER_MS) {
      // A macrotask, so timers and I/O due by now run first.
      await new Promise((resolve) => setTimeout(resolve, 0));
      since = performance.now();
    }
  }
  return matches;
}

/**
 * The built-in functions, with FEEL's names and parameter names (so `contains(string: x,
 * match: "y")` works as in Camunda). An argument of the wrong type gives null, as in FEEL;
 * a bad pattern or an input over a limit is an error, because no data can make it right.
 */

import { count, LIMITS } from './limits';
import { type Pattern } from './pattern';
import { equal, isList, kindOf, show, type Traversal } from './values';

/** What a function may use of the evaluation it runs in. */
export interface Call {
  /** Pays for list walks and fails at the call's position. */
  readonly work: Traversal;
  /** A compiled pattern (cached for the evaluation); a bad one fails the evaluation. */
  pattern(pattern: string, flags: string): Pattern;
}

export interface Builtin {
  readonly params: readonly string[];
  /** How many leading parameters must be given; the rest are optional. */
  readonly required: number;
  invoke(args: readonly unknown[], call: Call): unknown;
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** A function of strings only: any other argument gives null. */
function strings(params: string[], body: (...args: string[]) => unknown): Builtin {
  return { params, required: params.length, invoke: (args) => (args.every(isString) ? body(...args) : null) };
}

/** FEEL counts characters as code points, so an emoji is one character. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) i++;
  }
  return n;
}

/** FEEL positions: 1 is the first character, -1 the last. Null when out of range or not whole. */
function substring(text: string, start: unknown, length: unknown): string | null {
  if (kindOf(start) !== 'number' || !Number.isInteger(start)) return null;
  if (length !== undefined && (kindOf(length) !== 'number' || !Number.isInteger(length) || (length as number) < 0)) return null;
  const chars = Array.from(text);
  const from = (start as number) > 0 ? (start as number) - 1 : chars.length + (start as number);
  if (from < 0 || from > chars.length) return null;
  return chars.slice(from, length === undefined ? undefined : from + (length as number)).join('');
}

/** Decimal text as `number()` reads it (Java's BigDecimal syntax): `12`, `-1.5`, `.5`, `2e3`. */
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function matches(args: readonly unknown[], call: Call): boolean | null {
  const [input, pattern, flags = ''] = args;
  if (!isString(input) || !isString(pattern) || !isString(flags)) return null;
  if (input.length > LIMITS.matchInput) {
    call.work.fail(`matches() was given ${count(input.length)} characters; the limit is ${count(LIMITS.matchInput)}`, 'match a substring() of it, or use contains()');
  }
  return call.pattern(pattern, flags).test(input, (steps) => call.work.charge(steps * LIMITS.patternStepCost));
}

export const BUILTINS: Readonly<Record<string, Builtin>> = {
  not: { params: ['negand'], required: 1, invoke: ([x]) => (typeof x === 'boolean' ? !x : null) },
  'is defined': { params: ['value'], required: 1, invoke: ([x]) => kindOf(x) !== 'null' },

  contains: strings(['string', 'match'], (s, m) => s.includes(m!)),
  'starts with': strings(['string', 'match'], (s, m) => s.startsWith(m!)),
  'ends with': strings(['string', 'match'], (s, m) => s.endsWith(m!)),
  matches: { params: ['input', 'pattern', 'flags'], required: 2, invoke: matches },
  'string length': strings(['string'], (s) => codePoints(s)),
  'upper case': strings(['string'], (s) => s.toUpperCase()),
  'lower case': strings(['string'], (s) => s.toLowerCase()),
  trim: strings(['string'], (s) => s.trim()),
  substring: {
    params: ['string', 'start position', 'length'],
    required: 2,
    invoke: ([s, start, length]) => (isString(s) ? substring(s, start, length) : null),
  },

  number: strings(['from'], (s) => (NUMBER_TEXT.test(s) && Number.isFinite(Number(s)) ? Number(s) : null)),
  string: { params: ['from'], required: 1, invoke: ([x], call) => (kindOf(x) === 'null' ? null : show(x, call.work)) },

  count: { params: ['list'], required: 1, invoke: ([list]) => (isList(list) ? list.length : null) },
  'list contains': {
    params: ['list', 'element'],
    required: 2,
    invoke: ([list, element], call) => (isList(list) ? list.some((item) => equal(item, element, call.work) === true) : null),
  },
};

/** The function names, longest first, so `string length(` is found before `string(`. */
export const BUILTIN_NAMES: readonly string[] = Object.keys(BUILTINS).sort((a, b) => b.split(' ').length - a.split(' ').length || (a < b ? -1 : 1));

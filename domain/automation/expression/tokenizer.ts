/**
 * FEEL text to tokens. Words come out as `name` tokens whatever they are; the parser decides
 * which are keywords and which words together name a function (`starts with`), as FEEL does.
 * Operators from other languages (`==`, `&&`, `'text'`) are refused with the FEEL spelling.
 */

import { expressionError } from './error';

export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly start: number; readonly end: number }
  | { readonly kind: 'string'; readonly value: string; readonly start: number; readonly end: number }
  /** `quoted`: written in backticks, so never a keyword and never part of a function name. */
  | { readonly kind: 'name'; readonly value: string; readonly quoted: boolean; readonly start: number; readonly end: number }
  | { readonly kind: 'symbol'; readonly value: string; readonly start: number; readonly end: number }
  | { readonly kind: 'end'; readonly start: number; readonly end: number };

const SYMBOLS = ['**', '..', '!=', '<=', '>=', '(', ')', '[', ']', '{', '}', ',', ':', '.', '+', '-', '*', '/', '=', '<', '>'];

/** Spellings from other languages, and what FEEL writes instead. */
const FOREIGN: readonly [spelling: string, what: string, hint: string][] = [
  ['==', "'==' is not FEEL", "use a single '=' to compare"],
  ['&&', "'&&' is not FEEL", "write 'and'"],
  ['||', "'||' is not FEEL", "write 'or'"],
  ['!', "'!' is not FEEL", "write not(x), or '!=' for 'not equal'"],
  ["'", 'strings are not written in single quotes', 'use double quotes: "text"'],
  ['?', "'?' is not supported", 'it is the input value of unary tests, which this subset does not have'],
  ['@', 'date and time literals (@"…") are not supported yet', 'compare the ISO text as a string'],
];

const NAME_START = /[\p{L}_$]/u;
const NAME_PART = /[\p{L}\p{N}_$]/u;
const DIGIT = /[0-9]/;

/** String escapes of the FEEL spec. Any other backslash stays as written, so "\d+" reaches a pattern intact (as in Camunda). */
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '\\': '\\', n: '\n', r: '\r', t: '\t' };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (offset: number, what: string, hint?: string): never => {
    throw expressionError(source, offset, what, hint);
  };

  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (source.startsWith('//', i)) {
      const newline = source.indexOf('\n', i);
      i = newline < 0 ? source.length : newline + 1;
      continue;
    }
    if (source.startsWith('/*', i)) {
      const close = source.indexOf('*/', i + 2);
      if (close < 0) fail(i, "unclosed comment '/*'", "end it with '*/'");
      i = close + 2;
      continue;
    }
    const start = i;
    const previous = tokens[tokens.length - 1];
    // `.5` is a number unless it follows a value (`a.5` is a path).
    const leadingDot = c === '.' && DIGIT.test(source[i + 1] ?? '') && !endsValue(previous);
    if (DIGIT.test(c) || leadingDot) {
      while (DIGIT.test(source[i] ?? '')) i++;
      if (source[i] === '.' && DIGIT.test(source[i + 1] ?? '')) {
        i++;
        while (DIGIT.test(source[i] ?? '')) i++;
      }
      const value = Number(source.slice(start, i));
      if (!Number.isFinite(value)) fail(start, 'this number is too large');
      tokens.push({ kind: 'number', value, start, end: i });
      continue;
    }
    if (c === '"') {
      tokens.push(readString(source, start, fail));
      i = tokens[tokens.length - 1]!.end;
      continue;
    }
    if (c === '`') {
      const close = source.indexOf('`', i + 1);
      if (close < 0) fail(start, 'unclosed name in backticks', 'end it with another `');
      if (close === i + 1) fail(start, 'a name in backticks is empty');
      tokens.push({ kind: 'name', value: source.slice(i + 1, close), quoted: true, start, end: close + 1 });
      i = close + 1;
      continue;
    }
    if (NAME_START.test(c)) {
      while (i < source.length && NAME_PART.test(source[i]!)) i++;
      tokens.push({ kind: 'name', value: source.slice(start, i), quoted: false, start, end: i });
      continue;
    }
    const foreign = FOREIGN.find(([spelling]) => source.startsWith(spelling, i) && !(spelling === '!' && source[i + 1] === '='));
    if (foreign) fail(start, foreign[1], foreign[2]);
    const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
    if (!symbol) fail(start, `unexpected character '${c}'`);
    tokens.push({ kind: 'symbol', value: symbol!, start, end: i + symbol!.length });
    i += symbol!.length;
  }
  tokens.push({ kind: 'end', start: source.length, end: source.length });
  return tokens;
}

function endsValue(token: Token | undefined): boolean {
  if (!token) return false;
  if (token.kind === 'symbol') return token.value === ')' || token.value === ']' || token.value === '}';
  return token.kind !== 'end';
}

function readString(source: string, start: number, fail: (offset: number, what: string, hint?: string) => never): Token {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= source.length) fail(start, 'unclosed string', 'end it with "');
    const c = source[i]!;
    if (c === '"') return { kind: 'string', value, start, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const next = source[i + 1];
    if (next === undefined) fail(start, 'unclosed string', 'end it with "');
    if (next === 'u' || next === 'U') {
      const digits = next === 'u' ? 4 : 6;
      const hex = source.slice(i + 2, i + 2 + digits);
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) {
        fail(i, `'\\${next}' needs ${digits} hexadecimal digits of a code point`, next === 'u' ? 'for example \\u00e9' : 'for example \\U01F600');
      }
      value += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + digits;
      continue;
    }
    const escaped = ESCAPES[next!];
    value += escaped ?? `\\${next}`;
    i += 2;
  }
}

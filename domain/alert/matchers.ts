/**
 * Label matchers, written as Alertmanager writes them: what silences, and later routes and
 * rules, use to pick alerts by their labels. docs/alerts-processing.md#matchers.
 *
 *   {alertname="HighCPU", severity=~"critical|major", env!="dev", team!~"db.*"}
 *   alertname=HighCPU, severity=~"critical|major"          (braces optional, values unquoted)
 *
 * The grammar is Alertmanager's UTF-8 matcher syntax (matcher/parse, the default of new
 * installations and the only one once its transition ends): an optional `{ … }`, matchers
 * separated by commas (a trailing one allowed), each a label name, one of `=` `!=` `=~` `!~`,
 * and a value. Names and values are unquoted (any characters but whitespace and
 * `{ } ! = ~ , \ " ' \``) or double-quoted with Go string escapes (`\"`, `\\`, `\n`, `\t`,
 * `\xHH`, `\u00e9` …); so the regular expression `\d+` is written `"\\d+"`, and `"\d+"` is
 * an error that says so. Unlike Alertmanager's parser, a regular expression must be a whole
 * one on its own: `"a)|(b"` is refused rather than spliced into `^(?:a)|(b)$`.
 *
 * Semantics are Alertmanager's: a label that is absent counts as the empty string (so
 * `env=""` matches alerts without `env` and `env!=""` requires it); `=~` and `!~` match the
 * whole value (the pattern is anchored as `^(?:pattern)$`); every matcher of a list must hold.
 *
 * Regular expressions are Go's RE2 syntax, run by domain/alert/re2.ts, which never
 * backtracks and bounds each pattern (MATCHER_LIMITS). Everything is pure and cached by
 * pattern text.
 */

import { cachedPattern, PATTERN_LIMITS, RegexSyntaxError } from './re2';
import { MatcherSyntaxError } from './syntaxError';

export { cachedPattern, compilePattern, type LabelPattern, RegexSyntaxError } from './re2';
export { MatcherSyntaxError } from './syntaxError';
/** The bounds on a regular expression in a matcher (domain/alert/re2.ts). */
export const MATCHER_LIMITS = PATTERN_LIMITS;

export const MATCH_OPERATORS = ['=', '!=', '=~', '!~'] as const;
export type MatchOperator = (typeof MATCH_OPERATORS)[number];

export interface Matcher {
  name: string;
  op: MatchOperator;
  value: string;
}

/** An alert's labels, as far as matchers are concerned. */
export type Labels = Readonly<Record<string, string>>;



// ================================================================ matching

/** The value a matcher sees: a label that is absent is the empty string, as in Alertmanager. */
export function labelValue(labels: Labels, name: string): string {
  return Object.prototype.hasOwnProperty.call(labels, name) ? (labels[name] ?? '') : '';
}

export function matchesValue(matcher: Matcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return cachedPattern(matcher.value).test(value);
    case '!~':
      return !cachedPattern(matcher.value).test(value);
  }
}

export function matches(matcher: Matcher, labels: Labels): boolean {
  return matchesValue(matcher, labelValue(labels, matcher.name));
}

/** Every matcher holds (an empty list holds for every alert: callers that must not allow that check it). */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matches(m, labels));
}

/**
 * Alertmanager's test for a silence that would silence everything: a matcher "matches the
 * empty string" when it is `=` with an empty value or `=~` with a pattern that accepts "".
 * `!=` and `!~` never count, even `env!="prod"` (which does match alerts without `env`):
 * Alertmanager accepts a silence made only of those, and so does FlowDesk.
 */
export function matchesEmpty(matcher: Matcher): boolean {
  if (matcher.op === '=') return matcher.value === '';
  if (matcher.op === '=~') return cachedPattern(matcher.value).test('');
  return false;
}

// ================================================================ the text form

type TokenKind = '{' | '}' | ',' | 'op' | 'quoted' | 'unquoted' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const RESERVED = new Set(['{', '}', '!', '=', '~', ',', '\\', '"', "'", '`']);
/** Go's unicode.IsSpace is the White_Space property. */
const SPACE = /^\p{White_Space}$/u;
const isSpace = (char: string) => SPACE.test(char);
const isReserved = (char: string) => RESERVED.has(char) || isSpace(char);
const WHAT_IS_RESERVED = 'whitespace or one of { } ! = ~ , \\ " \' `';

/** Splits matcher text into tokens, as Alertmanager's lexer does. */
class MatcherLexer {
  private i = 0;
  private peeked: Token | null = null;

  constructor(private readonly input: string) {}

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = null;
    return token;
  }

  private char(at = this.i): string {
    const cp = this.input.codePointAt(at);
    return cp === undefined ? '' : String.fromCodePoint(cp);
  }

  private token(kind: TokenKind, start: number): Token {
    return { kind, text: this.input.slice(start, this.i), start, end: this.i };
  }

  private scan(): Token {
    while (this.i < this.input.length && isSpace(this.char())) this.i += this.char().length;
    const start = this.i;
    if (this.i >= this.input.length) return this.token('eof', start);
    const c = this.char();
    if (c === '{' || c === '}' || c === ',') {
      this.i++;
      return this.token(c, start);
    }
    if (c === '=' || c === '!') return this.operator(start);
    if (c === '"') return this.quoted(start);
    if (!isReserved(c)) {
      while (this.i < this.input.length && !isReserved(this.char())) this.i += this.char().length;
      return this.token('unquoted', start);
    }
    const hint = c === "'" || c === '`' ? ': quote names and values with double quotes' : c === '\\' ? ': a backslash is allowed only inside double quotes' : '';
    throw new MatcherSyntaxError(`unexpected ${c} at character ${start + 1}${hint}`, start, start + 1);
  }

  private operator(start: number): Token {
    const first = this.char();
    this.i++;
    const second = this.char();
    if (second === '~' || (first === '!' && second === '=')) this.i++;
    else if (first === '!') throw new MatcherSyntaxError(`'!' at character ${start + 1} must be followed by '=' or '~' (the operators are =, !=, =~ and !~)`, start, start + 1);
    return this.token('op', start);
  }

  private quoted(start: number): Token {
    this.i++;
    while (this.i < this.input.length && this.input[this.i] !== '"') this.i += this.input[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.input.length) {
      throw new MatcherSyntaxError(`the quoted text at character ${start + 1} has no closing '"'`, start, this.input.length);
    }
    this.i++;
    return this.token('quoted', start);
  }
}

/** Text of a token, unquoted, with the input index each of its UTF-16 units came from (to place errors inside it). */
interface TokenText {
  text: string;
  sources: number[];
}

const GO_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

/**
 * Go's strconv.Unquote for a double-quoted string, which is what Alertmanager applies: the C
 * escapes, `\"`, `\\`, three-digit octal and `\xHH` bytes (which together must spell valid
 * UTF-8), `\uHHHH` and `\UHHHHHHHH`. No raw line breaks, no other escapes.
 */
function unquote(token: Token): TokenText {
  if (token.kind === 'unquoted') return { text: token.text, sources: Array.from({ length: token.text.length }, (_, k) => token.start + k) };
  const body = token.text.slice(1, -1);
  const base = token.start + 1;
  let text = '';
  const sources: number[] = [];
  let bytes: number[] = [];
  let bytesFrom = 0;
  const emit = (chars: string, from: number) => {
    flushBytes();
    text += chars;
    for (let k = 0; k < chars.length; k++) sources.push(from);
  };
  const flushBytes = () => {
    if (bytes.length === 0) return;
    const decoded = decodeUtf8(bytes);
    if (decoded === null) throw new MatcherSyntaxError(`the bytes written as escapes from character ${bytesFrom + 1} are not valid UTF-8`, bytesFrom, base + body.length);
    bytes = [];
    text += decoded;
    for (let k = 0; k < decoded.length; k++) sources.push(bytesFrom);
  };
  for (let k = 0; k < body.length; ) {
    const at = base + k;
    const c = body[k]!;
    if (c === '\n') throw new MatcherSyntaxError(`a line break at character ${at + 1} inside quotes: write it as \\n`, at, at + 1);
    if (c !== '\\') {
      const cp = body.codePointAt(k)!;
      if (cp >= 0xd800 && cp <= 0xdfff) throw new MatcherSyntaxError(`character ${at + 1} is a lone surrogate, not valid Unicode`, at, at + 1);
      const char = String.fromCodePoint(cp);
      emit(char, at);
      k += char.length;
      continue;
    }
    const e = body[k + 1] ?? '';
    if (GO_ESCAPES[e] !== undefined) {
      emit(GO_ESCAPES[e]!, at);
      k += 2;
    } else if (e === 'x' || /[0-7]/.test(e)) {
      const [value, length] = e === 'x' ? [parseHex(body, k + 2, 2), 4] : [/^[0-7]{3}$/.test(body.slice(k + 1, k + 4)) ? parseInt(body.slice(k + 1, k + 4), 8) : -1, 4];
      if (value < 0 || value > 255) throw badEscape(body, k, at, e === 'x' ? '\\x takes two hexadecimal digits' : 'an octal escape is three digits 000–377');
      if (bytes.length === 0) bytesFrom = at;
      bytes.push(value);
      k += length;
    } else if (e === 'u' || e === 'U') {
      const digits = e === 'u' ? 4 : 8;
      const value = parseHex(body, k + 2, digits);
      if (value < 0 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) throw badEscape(body, k, at, `\\${e} takes ${digits} hexadecimal digits naming a Unicode character`);
      emit(String.fromCodePoint(value), at);
      k += 2 + digits;
    } else {
      throw badEscape(body, k, at, `inside quotes a backslash starts an escape (\\\\ \\" \\n \\t \\xHH \\uHHHH …); for a backslash followed by ${e || 'nothing'} write \\\\${e} — so the regular expression \\d+ is written "\\\\d+"`);
    }
  }
  flushBytes();
  return { text, sources };
}

function parseHex(text: string, from: number, digits: number): number {
  const hex = text.slice(from, from + digits);
  return hex.length === digits && /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : -1;
}

function badEscape(body: string, k: number, at: number, why: string): MatcherSyntaxError {
  const shown = body.slice(k, k + 2);
  return new MatcherSyntaxError(`${shown} at character ${at + 1} is not an escape: ${why}`, at, at + shown.length);
}

/** Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF), or null. */
function decodeUtf8(bytes: number[]): string | null {
  let out = '';
  for (let k = 0; k < bytes.length; ) {
    const b = bytes[k]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || k + length > bytes.length) return null;
    let cp = length === 1 ? b : b & (0xff >> (length + 1));
    for (let n = 1; n < length; n++) {
      const next = bytes[k + n]!;
      if ((next & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (next & 0x3f);
    }
    const smallest = [0, 0, 0x80, 0x800, 0x10000][length]!;
    if (cp < smallest || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    out += String.fromCodePoint(cp);
    k += length;
  }
  return out;
}

const shown = (token: Token) => (token.kind === 'eof' ? 'the end' : JSON.stringify(token.text));

/** Alertmanager's matcher grammar over the lexer's tokens. */
class MatcherParser {
  private readonly lexer: MatcherLexer;
  private readonly matchers: Matcher[] = [];

  constructor(private readonly input: string) {
    this.lexer = new MatcherLexer(input);
  }

  parse(): Matcher[] {
    const open = this.lexer.peek().kind === '{' ? this.lexer.next() : null;
    let token = this.lexer.peek();
    while (token.kind !== 'eof' && token.kind !== '}') {
      this.matcher();
      token = this.lexer.peek();
      if (token.kind === ',') {
        this.lexer.next();
        token = this.lexer.peek();
        if (token.kind !== 'eof' && token.kind !== '}' && token.kind !== 'quoted' && token.kind !== 'unquoted') {
          throw this.unexpected(token, "a matcher or '}' after the comma");
        }
      } else if (token.kind !== 'eof' && token.kind !== '}') {
        const hint = token.kind === 'unquoted' || token.kind === 'quoted' ? ` (quote a value that contains ${WHAT_IS_RESERVED})` : '';
        throw this.unexpected(token, `',' or '}' after the matcher${hint}`);
      }
    }
    this.closeBrace(open);
    const rest = this.lexer.next();
    if (rest.kind !== 'eof') throw this.unexpected(rest, 'the end of the matchers');
    return this.matchers;
  }

  private closeBrace(open: Token | null): void {
    const token = this.lexer.peek();
    if (open && token.kind !== '}') throw new MatcherSyntaxError(`expected '}' to close the '{' at character ${open.start + 1}, found ${shown(token)}`, token.start, Math.max(token.end, token.start + 1));
    if (!open && token.kind === '}') throw new MatcherSyntaxError(`'}' at character ${token.start + 1} closes nothing: there is no opening '{'`, token.start, token.end);
    if (open) this.lexer.next();
  }

  private matcher(): void {
    const nameToken = this.lexer.next();
    if (nameToken.kind !== 'quoted' && nameToken.kind !== 'unquoted') throw this.unexpected(nameToken, 'a label name');
    const name = unquote(nameToken).text;
    if (name === '') throw new MatcherSyntaxError(`the label name at character ${nameToken.start + 1} is empty`, nameToken.start, nameToken.end);
    const opToken = this.lexer.next();
    if (opToken.kind !== 'op') throw this.unexpected(opToken, `an operator after ${JSON.stringify(name)}: =, !=, =~ or !~`);
    const op = opToken.text as MatchOperator;
    const valueToken = this.lexer.next();
    if (valueToken.kind !== 'quoted' && valueToken.kind !== 'unquoted') {
      const hint = valueToken.kind === 'eof' || valueToken.kind === ',' || valueToken.kind === '}' ? ` (write ${name}${op}"" for the empty value)` : '';
      throw this.unexpected(valueToken, `a value after ${op}${hint}`);
    }
    const value = unquote(valueToken);
    if (op === '=~' || op === '!~') checkPattern(value, valueToken);
    this.matchers.push({ name, op, value: value.text });
  }

  private unexpected(token: Token, expected: string): MatcherSyntaxError {
    const where = token.kind === 'eof' ? `the input ended at character ${this.input.length + 1}` : `found ${shown(token)} at character ${token.start + 1}`;
    return new MatcherSyntaxError(`expected ${expected}; ${where}`, token.start, Math.max(token.end, token.start + 1));
  }
}

/** A regex error, placed back in the matcher text (through any escapes in the quoted value). */
function checkPattern(value: TokenText, token: Token): void {
  try {
    cachedPattern(value.text);
  } catch (error) {
    if (!(error instanceof RegexSyntaxError)) throw error;
    const valueEnd = token.kind === 'quoted' ? token.end - 1 : token.end;
    const start = value.sources[error.start] ?? valueEnd;
    const end = value.sources[error.end] ?? valueEnd;
    throw new MatcherSyntaxError(`invalid regular expression in the value at character ${token.start + 1}: ${error.message}`, start, Math.max(end, start + 1));
  }
}

/** Matchers in Alertmanager's syntax (braces optional, zero or more). Throws MatcherSyntaxError. */
export function parseMatchers(text: string): Matcher[] {
  return new MatcherParser(text).parse();
}

/** Exactly one matcher, without braces (an entry of a `matchers:` list in a file). */
export function parseMatcher(text: string): Matcher {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.endsWith('}')) {
    const at = trimmed.startsWith('{') ? text.indexOf('{') : text.lastIndexOf('}');
    throw new MatcherSyntaxError(`one matcher is written without braces (character ${at + 1})`, at, at + 1);
  }
  const matchers = parseMatchers(text);
  if (matchers.length !== 1) throw new MatcherSyntaxError(matchers.length === 0 ? 'no matcher: write name="value"' : `expected one matcher, found ${matchers.length}`, 0, text.length);
  return matchers[0]!;
}

// ---------------------------------------------------------------- formatting

/**
 * Alertmanager's escaping (OpenMetrics: backslash, line feed and double quote), which every
 * Alertmanager parser — classic, UTF-8 and fallback — reads back the same way.
 */
const escapeText = (text: string) => text.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

function formatName(name: string): string {
  return name !== '' && !Array.from(name).some(isReserved) ? name : `"${escapeText(name)}"`;
}

export function formatMatcher(matcher: Matcher): string {
  return `${formatName(matcher.name)}${matcher.op}"${escapeText(matcher.value)}"`;
}

/** `{alertname="HighCPU",severity=~"critical|major"}`: Alertmanager's own rendering; `parseMatchers` gives the list back. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return `{${matchers.map(formatMatcher).join(',')}}`;
}

// ---------------------------------------------------------------- as data

/** With the u flag a class of surrogates matches only unpaired ones. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

export interface MatcherProblem {
  path: string;
  message: string;
}

/**
 * Problems of one matcher given as data (`{ name, op, value }`, as the API and the store
 * keep them), each with its path under `path`.
 */
export function matcherProblems(input: unknown, path: string): MatcherProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [{ path, message: 'must be a matcher: { name, op, value }' }];
  const m = input as Record<string, unknown>;
  const problems: MatcherProblem[] = [];
  for (const key of Object.keys(m)) if (!['name', 'op', 'value'].includes(key)) problems.push({ path: `${path}.${key}`, message: 'unknown field; a matcher has name, op and value' });
  if (typeof m.name !== 'string' || m.name === '') problems.push({ path: `${path}.name`, message: 'must be a label name (not empty)' });
  if (!MATCH_OPERATORS.includes(m.op as MatchOperator)) problems.push({ path: `${path}.op`, message: `must be one of ${MATCH_OPERATORS.join(' ')}` });
  if (typeof m.name === 'string' && LONE_SURROGATE.test(m.name)) problems.push({ path: `${path}.name`, message: 'contains a lone surrogate, not valid Unicode' });
  if (typeof m.value !== 'string') problems.push({ path: `${path}.value`, message: 'must be a string (empty matches a missing label)' });
  else if (LONE_SURROGATE.test(m.value)) problems.push({ path: `${path}.value`, message: 'contains a lone surrogate, not valid Unicode' });
  else if (m.op === '=~' || m.op === '!~') {
    try {
      cachedPattern(m.value);
    } catch (error) {
      if (!(error instanceof RegexSyntaxError)) throw error;
      problems.push({ path: `${path}.value`, message: `invalid regular expression: ${error.message}` });
    }
  }
  return problems;
}

/** Alertmanager's API v2 shape (`isRegex`, `isEqual`, `isEqual` defaulting to true) as a FlowDesk matcher. */
export function fromAlertmanagerMatcher(m: { name: string; value: string; isRegex: boolean; isEqual?: boolean }): Matcher {
  const equal = m.isEqual ?? true;
  return { name: m.name, value: m.value, op: m.isRegex ? (equal ? '=~' : '!~') : equal ? '=' : '!=' };
}

/**
 * Regular expressions in Go's RE2 syntax, as Alertmanager's `=~` and `!~` matchers take
 * them, run by a matcher that never backtracks (a Thompson NFA simulated breadth-first, as
 * RE2 does): matching costs at most value length × pattern size, whatever the pattern, so a
 * pattern typed in by a person cannot stall the intake with `(a+)+$`. JavaScript's RegExp
 * backtracks and has a different syntax, so it is not used for user patterns. What RE2
 * refuses (backreferences, lookaround) is refused too, with RE2's own reasons, and on top of
 * RE2's limits the PATTERN_LIMITS below. docs/alerts-processing.md#matchers.
 */

import { MatcherSyntaxError } from './syntaxError';

export const PATTERN_LIMITS = {
  /** Characters in one regular expression. A longer one is a list of values better split into matchers. */
  patternLength: 1_000,
  /** Steps of the compiled pattern once `{n,m}` is expanded: bounds the work per character of a label value. */
  programSize: 10_000,
  /** Largest `{n,m}` count, and largest product of nested counts: RE2's own limit. */
  repeatCount: 1_000,
  /** Nesting of groups. */
  nesting: 100,
} as const;

type CharTest = (cp: number) => boolean;
type Assertion = 'begin-text' | 'end-text' | 'begin-line' | 'end-line' | 'word' | 'not-word';

type Node =
  /** One code point; `literal` is that code point when the test is plain equality (for the fast paths). */
  | { t: 'char'; test: CharTest; literal: number | null }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  /** `counted`: written `{n,m}`, the only repetitions RE2's nesting limit counts. */
  | { t: 'repeat'; body: Node; min: number; max: number; counted: boolean }
  | { t: 'assert'; kind: Assertion };

interface Flags {
  /** `(?i)` */
  fold: boolean;
  /** `(?m)`: ^ and $ at line breaks too. */
  multiLine: boolean;
  /** `(?s)`: . matches \n. */
  dotNL: boolean;
}

const NL = 0x0a;
const isDigit = (cp: number) => cp >= 0x30 && cp <= 0x39;
const isAlnum = (cp: number) => isDigit(cp) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
const isWordChar = (cp: number) => isAlnum(cp) || cp === 0x5f;
const isOctal = (cp: number | undefined) => cp !== undefined && cp >= 0x30 && cp <= 0x37;
const hexValue = (cp: number | undefined) => (cp === undefined ? -1 : isDigit(cp) ? cp - 0x30 : cp >= 0x61 && cp <= 0x66 ? cp - 0x57 : cp >= 0x41 && cp <= 0x46 ? cp - 0x37 : -1);
const ranges =
  (...bounds: number[]): CharTest =>
  (cp) => {
    for (let i = 0; i < bounds.length; i += 2) if (cp >= bounds[i]! && cp <= bounds[i + 1]!) return true;
    return false;
  };

/** RE2's Perl classes are ASCII: `\s` is [\t\n\f\r ] (no \v), `\w` is [0-9A-Za-z_]. */
const PERL_CLASSES: Readonly<Record<string, CharTest>> = { d: ranges(0x30, 0x39), s: ranges(0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20), w: isWordChar };
const POSIX_CLASSES: ReadonlyMap<string, CharTest> = new Map([
  ['alnum', ranges(0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a)],
  ['alpha', ranges(0x41, 0x5a, 0x61, 0x7a)],
  ['ascii', ranges(0x00, 0x7f)],
  ['blank', ranges(0x09, 0x09, 0x20, 0x20)],
  ['cntrl', ranges(0x00, 0x1f, 0x7f, 0x7f)],
  ['digit', ranges(0x30, 0x39)],
  ['graph', ranges(0x21, 0x7e)],
  ['lower', ranges(0x61, 0x7a)],
  ['print', ranges(0x20, 0x7e)],
  ['punct', ranges(0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e)],
  ['space', ranges(0x09, 0x0d, 0x20, 0x20)],
  ['upper', ranges(0x41, 0x5a)],
  ['word', isWordChar],
  ['xdigit', ranges(0x30, 0x39, 0x41, 0x46, 0x61, 0x66)],
]);
const CHAR_ESCAPES: Readonly<Record<string, number>> = { a: 0x07, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

/** The other cases of a code point (single code points only: 'ß' does not become 'SS'). */
function caseVariants(cp: number): number[] {
  if (cp < 0x80) {
    if (cp >= 0x41 && cp <= 0x5a) return [cp, cp + 32];
    if (cp >= 0x61 && cp <= 0x7a) return [cp, cp - 32];
    return [cp];
  }
  const char = String.fromCodePoint(cp);
  const out = [cp];
  for (const other of [char.toLowerCase(), char.toUpperCase()]) {
    const v = other.codePointAt(0)!;
    if (String.fromCodePoint(v) === other && !out.includes(v)) out.push(v);
  }
  return out;
}

/** With `(?i)`, a test also holds for the other cases of the character (Kelvin sign K matches k). */
const folded =
  (test: CharTest): CharTest =>
  (cp) =>
    caseVariants(cp).some(test);

/** Go's canonical spelling of a Unicode class name: first letter upper, the rest lower, no _ - or spaces. */
function canonicalClassName(name: string): string {
  const bare = name.replace(/[_\- ]/g, '');
  return bare.charAt(0).toUpperCase() + bare.slice(1).toLowerCase();
}

/** `\p{Greek}`, `\pL`, `\p{Lu}`: general categories and scripts, tested with JavaScript's property escapes. */
function unicodeClass(name: string): CharTest | null {
  if (!/^[A-Za-z0-9_\- ]+$/.test(name)) return null;
  const canonical = canonicalClassName(name);
  // Go knows general categories and scripts (not JavaScript's other properties such as Emoji).
  const special = new Map([
    ['Any', 'Any'],
    ['Assigned', 'Assigned'],
    ['Ascii', 'ASCII'],
    ['Lc', 'LC'],
  ]);
  const candidates = special.has(canonical) ? [special.get(canonical)!] : [name, canonical].flatMap((n) => [`General_Category=${n}`, `Script=${n}`]);
  for (const property of candidates) {
    try {
      const re = new RegExp(`^\\p{${property}}$`, 'u');
      return (cp) => re.test(String.fromCodePoint(cp));
    } catch {
      // not this spelling; try the next
    }
  }
  return null;
}

export class RegexSyntaxError extends MatcherSyntaxError {}

/**
 * Recursive descent over the pattern's code points, following Go's regexp/syntax parser
 * (Perl flags, one-line mode: `^`/`$` at the ends of the text unless `(?m)`) rule by rule,
 * including its error cases, so a pattern valid here is valid in Alertmanager and means the
 * same thing.
 */
class RegexParser {
  private readonly cps: number[] = [];
  /** The UTF-16 index of each code point, and of the end. */
  private readonly offsets: number[] = [];
  private i = 0;
  private flags: Flags = { fold: false, multiLine: false, dotNL: false };
  private depth = 0;

  constructor(source: string) {
    for (let j = 0; j < source.length; ) {
      const cp = source.codePointAt(j)!;
      if (cp >= 0xd800 && cp <= 0xdfff) throw new RegexSyntaxError('invalid UTF-8: a lone surrogate is not a character', j, j + 1);
      this.cps.push(cp);
      this.offsets.push(j);
      j += cp > 0xffff ? 2 : 1;
    }
    this.offsets.push(source.length);
  }

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.cps.length) this.fail('unexpected ): no group is open here', this.i, this.i + 1);
    return node;
  }

  private fail(message: string, from: number, to = from + 1): never {
    const end = Math.min(to, this.cps.length);
    throw new RegexSyntaxError(`${message} (character ${this.offsets[from]! + 1} of the pattern)`, this.offsets[from]!, this.offsets[Math.max(end, from)]!);
  }

  private peek(ahead = 0): number | undefined {
    return this.cps[this.i + ahead];
  }

  private is(char: string, ahead = 0): boolean {
    return this.cps[this.i + ahead] === char.codePointAt(0);
  }

  private text(from: number, to: number): string {
    return String.fromCodePoint(...this.cps.slice(from, to));
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.is('|')) {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    let afterRepeat = false;
    while (this.i < this.cps.length && !this.is('|') && !this.is(')')) {
      const repeat = this.repetitionAhead();
      if (repeat) {
        this.repeatLast(items, repeat, afterRepeat);
        afterRepeat = true;
        continue;
      }
      afterRepeat = false;
      const item = this.atom();
      if (item) items.push(item);
    }
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  /** `*`, `+`, `?` or a well-formed `{n}`, `{n,}`, `{n,m}` at the cursor (a malformed brace is a literal, as in Go). */
  private repetitionAhead(): { min: number; max: number; length: number; counted: boolean } | null {
    const c = this.peek();
    if (c === 0x2a) return { min: 0, max: Infinity, length: 1, counted: false };
    if (c === 0x2b) return { min: 1, max: Infinity, length: 1, counted: false };
    if (c === 0x3f) return { min: 0, max: 1, length: 1, counted: false };
    if (c !== 0x7b) return null;
    // Go reads the numbers without leading zeros, so `{01}` is literal text.
    const close = this.cps.indexOf(0x7d, this.i);
    const m = close < 0 ? null : /^\{(0|[1-9]\d*)(,(0|[1-9]\d*)?)?\}$/.exec(this.text(this.i, close + 1));
    if (!m) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === undefined ? Infinity : Number(m[3]);
    return { min, max, length: m[0].length, counted: true };
  }

  private repeatLast(items: Node[], repeat: { min: number; max: number; length: number; counted: boolean }, afterRepeat: boolean): void {
    const at = this.i;
    this.i += repeat.length;
    if (this.is('?')) this.i++; // lazy: the same yes/no answer
    const limit = PATTERN_LIMITS.repeatCount;
    if (repeat.counted && (repeat.min > limit || (repeat.max !== Infinity && repeat.max > limit) || repeat.min > repeat.max)) {
      this.fail(`invalid repeat count: counts go up to ${limit}, and the maximum may not be below the minimum`, at, this.i);
    }
    if (afterRepeat) this.fail(`invalid nested repetition operator: ${this.text(at, this.i)} repeats a repetition; put the inner one in a group (?:…)`, at, this.i);
    const body = items.pop();
    if (!body) this.fail(`missing argument to repetition operator: ${this.text(at, this.i)} has nothing before it to repeat`, at, this.i);
    const node: Node = { t: 'repeat', body, min: repeat.min, max: repeat.max, counted: repeat.counted };
    if (repeat.counted && (repeat.min >= 2 || repeat.max >= 2) && !repeatIsValid(node, limit)) {
      this.fail(`invalid repeat count: nested counts multiply to more than ${limit}`, at, this.i);
    }
    items.push(node);
  }

  /** One item, or null for a flag setting like `(?i)` that matches nothing itself. */
  private atom(): Node | null {
    const at = this.i;
    const c = this.cps[this.i++]!;
    switch (c) {
      case 0x28: // (
        return this.group(at);
      case 0x5b: // [
        return this.charClass(at);
      case 0x2e: // .
        return this.charNode(this.flags.dotNL ? () => true : (cp) => cp !== NL, false);
      case 0x5e: // ^
        return { t: 'assert', kind: this.flags.multiLine ? 'begin-line' : 'begin-text' };
      case 0x24: // $
        return { t: 'assert', kind: this.flags.multiLine ? 'end-line' : 'end-text' };
      case 0x5c: // \
        return this.escape(at);
      default:
        return this.literal(c);
    }
  }

  private charNode(test: CharTest, fold = this.flags.fold): Node {
    return { t: 'char', test: fold ? folded(test) : test, literal: null };
  }

  private literal(cp: number): Node {
    // Under (?i) a letter also matches what folds to it from elsewhere (ẞ to ß, K to k), so only caseless ASCII stays exact.
    if (!this.flags.fold || (cp < 0x80 && caseVariants(cp).length === 1)) return { t: 'char', test: (x) => x === cp, literal: cp };
    const variants = caseVariants(cp);
    return { t: 'char', test: (x) => variants.includes(x) || caseVariants(x).includes(cp), literal: null };
  }

  private group(at: number): Node | null {
    if (this.depth >= PATTERN_LIMITS.nesting) this.fail(`expression nests too deeply: more than ${PATTERN_LIMITS.nesting} groups inside each other`, at);
    const saved = this.flags;
    if (this.is('?')) {
      if ((this.is('P', 1) && this.is('<', 2)) || this.is('<', 1)) this.namedCapture(at);
      else if (this.flagGroup(at) === 'setting') return null;
    }
    this.depth++;
    const body = this.alternation();
    this.depth--;
    if (!this.is(')')) this.fail('missing closing ): this group is not closed', at);
    this.i++;
    this.flags = saved;
    return body;
  }

  /** `(?P<name>` or `(?<name>`: the name is checked and then forgotten (matching needs no captures). */
  private namedCapture(at: number): void {
    this.i += this.is('P', 1) ? 3 : 2;
    const nameStart = this.i;
    while (this.i < this.cps.length && !this.is('>')) this.i++;
    if (this.i >= this.cps.length) this.fail("invalid named capture: the name has no closing '>'", at, this.i);
    const name = this.text(nameStart, this.i);
    this.i++;
    if (!/^[A-Za-z0-9_]+$/.test(name)) this.fail('invalid named capture: a group name is letters, digits and _', at, this.i);
  }

  /**
   * `(?flags)` sets flags until the end of the enclosing group; `(?flags:` opens a group with
   * them. Flags are i, m, s and U (ungreedy, which changes nothing about whether a value
   * matches), with one `-` before those to clear. Anything else after `(?` is Perl syntax RE2
   * does not have: lookahead, lookbehind, comments, backreferences by name.
   */
  private flagGroup(at: number): 'setting' | 'group' {
    this.i++;
    const flags = { ...this.flags };
    let negate = false;
    let sawFlag = false;
    for (;;) {
      const c = this.peek();
      if (c === undefined) break;
      const char = String.fromCodePoint(c);
      this.i++;
      if (char === 'i' || char === 'm' || char === 's' || char === 'U') {
        if (char === 'i') flags.fold = !negate;
        if (char === 'm') flags.multiLine = !negate;
        if (char === 's') flags.dotNL = !negate;
        sawFlag = true;
        continue;
      }
      if (char === '-' && !negate) {
        negate = true;
        sawFlag = false;
        continue;
      }
      if ((char === ':' || char === ')') && !(negate && !sawFlag)) {
        this.flags = flags;
        return char === ')' ? 'setting' : 'group';
      }
      break;
    }
    return this.fail(
      `invalid or unsupported Perl syntax: ${this.text(at, this.i)} (RE2 has no lookahead, lookbehind or backreferences; flags are (?i) (?m) (?s) (?U))`,
      at,
      this.i,
    );
  }

  private escape(at: number): Node {
    const c = this.peek();
    if (c === undefined) this.fail('trailing backslash at end of expression', at);
    const char = String.fromCodePoint(c);
    const simple: Record<string, Assertion> = { A: 'begin-text', z: 'end-text', b: 'word', B: 'not-word' };
    if (simple[char]) {
      this.i++;
      return { t: 'assert', kind: simple[char]! };
    }
    if (char === 'Q') return this.quoted();
    if (char === 'C') this.fail('invalid escape sequence: \\C (any byte) is not supported', at, at + 2);
    const group = this.classEscape();
    if (group) return this.charNode(group, false);
    return this.literal(this.escapedChar(at));
  }

  /**
   * `\Q…\E`: everything up to `\E` is literal text. RE2 lets it run to the end of the
   * pattern, but Alertmanager's anchoring `^(?:…)$` then ends up inside it and the pattern is
   * refused, so an unclosed one is refused here too.
   */
  private quoted(): Node {
    const at = this.i - 1;
    this.i++;
    const items: Node[] = [];
    while (this.i < this.cps.length && !(this.is('\\') && this.is('E', 1))) items.push(this.literal(this.cps[this.i++]!));
    if (this.i >= this.cps.length) this.fail('missing \\E: the literal text started by \\Q is not closed (Alertmanager would read its own anchoring into it)', at, this.i);
    this.i += 2;
    return { t: 'cat', items };
  }

  /** `\d \D \s \S \w \W`, `\pL`, `\p{Greek}`, `\P{…}`, `\p{^…}` at the cursor (after the backslash), already case-folded under (?i). */
  private classEscape(): CharTest | null {
    const at = this.i - 1;
    const c = this.peek();
    if (c === undefined) return null;
    const char = String.fromCodePoint(c);
    const perl = PERL_CLASSES[char.toLowerCase()];
    if (perl && /[dswDSW]/.test(char)) {
      this.i++;
      return this.classTest(perl, char === char.toUpperCase());
    }
    if (char !== 'p' && char !== 'P') return null;
    this.i++;
    let name: string;
    if (this.is('{')) {
      const close = this.cps.indexOf(0x7d, this.i);
      if (close < 0) this.fail('invalid character class range: \\p{ has no closing }', at, this.cps.length);
      name = this.text(this.i + 1, close);
      this.i = close + 1;
    } else {
      if (this.peek() === undefined) this.fail('invalid character class range: \\p needs a class name', at, this.i);
      name = String.fromCodePoint(this.cps[this.i++]!);
    }
    let negate = char === 'P';
    if (name.startsWith('^')) {
      negate = !negate;
      name = name.slice(1);
    }
    const test = unicodeClass(name);
    if (!test) this.fail(`invalid character class range: no Unicode class '${name}' (use a category such as L, Lu, N or a script such as Greek)`, at, this.i);
    return this.classTest(test, negate);
  }

  /** A class, folded first and negated after, as Go folds a group before inverting it. */
  private classTest(test: CharTest, negate: boolean): CharTest {
    const base = this.flags.fold ? folded(test) : test;
    return negate ? (cp) => !base(cp) : base;
  }

  /** The character after a backslash (cursor on it): punctuation, octal, hex, or a C escape. */
  private escapedChar(at: number): number {
    const c = this.cps[this.i++]!;
    if (c < 0x80 && !isAlnum(c)) return c;
    const char = String.fromCodePoint(c);
    if (CHAR_ESCAPES[char] !== undefined) return CHAR_ESCAPES[char]!;
    if (char === '0' || (isOctal(c) && isOctal(this.peek()))) {
      let value = c - 0x30;
      for (let n = 1; n < 3 && isOctal(this.peek()); n++) value = value * 8 + (this.cps[this.i++]! - 0x30);
      return value;
    }
    if (char === 'x') return this.hexEscape(at);
    const hint = /[1-9]/.test(char) ? ' (backreferences are not supported)' : '';
    return this.fail(`invalid escape sequence: \\${char}${hint}`, at, this.i);
  }

  private hexEscape(at: number): number {
    if (this.is('{')) {
      this.i++;
      let value = 0;
      let digits = 0;
      while (hexValue(this.peek()) >= 0) {
        value = value * 16 + hexValue(this.cps[this.i++]);
        digits++;
        if (value > 0x10ffff) this.fail('invalid escape sequence: \\x{…} beyond the last Unicode character', at, this.i);
      }
      if (digits === 0 || !this.is('}')) this.fail('invalid escape sequence: \\x{…} takes hexadecimal digits and a closing }', at, this.i + 1);
      this.i++;
      return value;
    }
    const high = hexValue(this.peek());
    const low = hexValue(this.peek(1));
    if (high < 0 || low < 0) this.fail('invalid escape sequence: \\x takes two hexadecimal digits, or \\x{…}', at, Math.min(this.i + 2, this.cps.length));
    this.i += 2;
    return high * 16 + low;
  }

  private charClass(at: number): Node {
    const negate = this.is('^');
    if (negate) this.i++;
    const items: CharTest[] = [];
    // A ']' right after '[' or '[^' is a literal one.
    for (let first = true; first || !this.is(']'); first = false) {
      if (this.i >= this.cps.length) this.fail('missing closing ]: this class is not closed', at);
      items.push(this.classItem(at));
    }
    this.i++;
    const test: CharTest = (cp) => items.some((item) => item(cp));
    return this.charNode(negate ? (cp) => !test(cp) : test, false);
  }

  /** `[:alpha:]`, a class escape, one character or a range `a-z` (each folded under (?i)). */
  private classItem(classAt: number): CharTest {
    if (this.is('[') && this.is(':', 1)) {
      const close = this.text(this.i + 2, this.cps.length).indexOf(':]');
      if (close >= 0) {
        const at = this.i;
        const inner = this.text(this.i + 2, this.i + 2 + close);
        this.i += Array.from(inner).length + 4;
        const negate = inner.startsWith('^');
        const posix = POSIX_CLASSES.get(negate ? inner.slice(1) : inner);
        if (!posix) this.fail(`invalid character class range: no POSIX class [:${inner}:] (there are ${[...POSIX_CLASSES.keys()].join(', ')})`, at, this.i);
        return this.classTest(posix, negate);
      }
    }
    if (this.is('\\')) {
      this.i++;
      const group = this.classEscape();
      if (group) return group;
      this.i--;
    }
    const from = this.i;
    const low = this.classChar(classAt);
    let high = low;
    if (this.is('-') && this.peek(1) !== undefined && !this.is(']', 1)) {
      this.i++;
      high = this.classChar(classAt);
      if (high < low) this.fail(`invalid character class range: ${this.text(from, this.i)} ends before it starts`, from, this.i);
    }
    const test: CharTest = (cp) => cp >= low && cp <= high;
    return this.flags.fold ? folded(test) : test;
  }

  private classChar(classAt: number): number {
    if (this.i >= this.cps.length) this.fail('missing closing ]: this class is not closed', classAt);
    const at = this.i;
    const c = this.cps[this.i++]!;
    if (c !== 0x5c) return c;
    if (this.i >= this.cps.length) this.fail('trailing backslash at end of expression', at);
    return this.escapedChar(at);
  }
}

/** Go's check that nested `{n,m}` counts do not multiply past the limit (`(a{500}){3}` is refused). */
function repeatIsValid(node: Node, n: number): boolean {
  if (node.t === 'repeat' && node.counted) {
    const m = node.max === Infinity ? node.min : node.max;
    if (node.max === 0) return true;
    if (m > n) return false;
    if (m > 0) n = Math.floor(n / m);
  }
  const children = node.t === 'cat' ? node.items : node.t === 'alt' ? node.options : node.t === 'repeat' ? [node.body] : [];
  return children.every((child) => repeatIsValid(child, n));
}

// ---------------------------------------------------------------- the matcher (a Pike VM)

const CHAR = 0;
const SPLIT = 1;
const JUMP = 2;
const ASSERT = 3;
const MATCH = 4;

interface Program {
  op: Uint8Array;
  x: Int32Array;
  y: Int32Array;
  tests: Array<CharTest | null>;
  asserts: Array<Assertion | null>;
  /** Thread lists and marks, allocated once per pattern: a match runs to completion before the next starts. */
  current: Int32Array;
  next: Int32Array;
  seen: Int32Array;
  /** Each instruction is pushed at most twice per position (a split pushes two). */
  stack: Int32Array;
}

function compileProgram(root: Node, source: string): Program {
  const op: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const tests: Array<CharTest | null> = [];
  const asserts: Array<Assertion | null> = [];
  const push = (code: number, test: CharTest | null = null, kind: Assertion | null = null): number => {
    if (op.length >= PATTERN_LIMITS.programSize) {
      throw new RegexSyntaxError(
        `expression too large: more than ${PATTERN_LIMITS.programSize} steps once its repetitions are expanded; repeat smaller parts or fewer times`,
        0,
        source.length,
      );
    }
    op.push(code);
    x.push(0);
    y.push(0);
    tests.push(test);
    asserts.push(kind);
    return op.length - 1;
  };
  const walk = (node: Node): void => {
    switch (node.t) {
      case 'char':
        push(CHAR, node.test);
        return;
      case 'assert':
        push(ASSERT, null, node.kind);
        return;
      case 'cat':
        node.items.forEach(walk);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.options.forEach((option, i) => {
          if (i === node.options.length - 1) return walk(option);
          const split = push(SPLIT);
          walk(option);
          jumps.push(push(JUMP));
          x[split] = split + 1;
          y[split] = op.length;
        });
        for (const jump of jumps) x[jump] = op.length;
        return;
      }
      case 'repeat':
        return walkRepeat(node);
    }
  };
  const walkRepeat = (node: Extract<Node, { t: 'repeat' }>): void => {
    for (let i = 0; i < node.min; i++) walk(node.body);
    if (node.max === Infinity) {
      const loop = push(SPLIT);
      walk(node.body);
      x[push(JUMP)] = loop;
      x[loop] = loop + 1;
      y[loop] = op.length;
      return;
    }
    const splits: number[] = [];
    for (let i = node.min; i < node.max; i++) {
      splits.push(push(SPLIT));
      walk(node.body);
    }
    for (const split of splits) {
      x[split] = split + 1;
      y[split] = op.length;
    }
  };
  walk(root);
  // The anchoring Alertmanager adds: the value must end where the pattern does.
  push(ASSERT, null, 'end-text');
  push(MATCH);
  const size = op.length;
  return { op: Uint8Array.from(op), x: Int32Array.from(x), y: Int32Array.from(y), tests, asserts, current: new Int32Array(size), next: new Int32Array(size), seen: new Int32Array(size), stack: new Int32Array(2 * size + 1) };
}

const codePointBefore = (s: string, i: number): number | undefined => {
  if (i <= 0) return undefined;
  const low = s.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = s.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return s.codePointAt(i - 2);
  }
  return low;
};

function holds(kind: Assertion, s: string, i: number): boolean {
  switch (kind) {
    case 'begin-text':
      return i === 0;
    case 'end-text':
      return i === s.length;
    case 'begin-line':
      return i === 0 || s.charCodeAt(i - 1) === NL;
    case 'end-line':
      return i === s.length || s.charCodeAt(i) === NL;
    case 'word':
    case 'not-word': {
      const before = codePointBefore(s, i);
      const after = i < s.length ? s.codePointAt(i) : undefined;
      const boundary = (before !== undefined && isWordChar(before)) !== (after !== undefined && isWordChar(after));
      return boundary === (kind === 'word');
    }
  }
}

/** Marks `add` returns when it reached the end of the program: the value matches. */
const MATCHED = -1;

/**
 * Follows splits, jumps and assertions from `pc` at position `i`, adding the CHAR threads to
 * `list` from `count` on; returns the new count, or MATCHED. A top-level function, not a
 * closure, because it runs for every character of every value checked.
 */
function add(p: Program, s: string, list: Int32Array, count: number, pc: number, i: number): number {
  const stack = p.stack;
  let top = 0;
  stack[top++] = pc;
  while (top > 0) {
    const at = stack[--top]!;
    if (p.seen[at] === i) continue;
    p.seen[at] = i;
    switch (p.op[at]) {
      case CHAR:
        list[count++] = at;
        break;
      case SPLIT:
        stack[top++] = p.y[at]!;
        stack[top++] = p.x[at]!;
        break;
      case JUMP:
        stack[top++] = p.x[at]!;
        break;
      case ASSERT:
        if (holds(p.asserts[at]!, s, i)) stack[top++] = at + 1;
        break;
      case MATCH:
        return MATCHED;
    }
  }
  return count;
}

/**
 * Whether the whole of `s` matches: every live thread advances one code point at a time, and
 * a thread per instruction and position is kept at most once, so the work is at most
 * length × program size.
 */
function fullMatch(p: Program, s: string): boolean {
  let current = p.current;
  let next = p.next;
  p.seen.fill(-1);
  let count = add(p, s, current, 0, 0, 0);
  for (let i = 0; i < s.length && count > 0; ) {
    const cp = s.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    let nextCount = 0;
    for (let t = 0; t < count; t++) {
      const pc = current[t]!;
      if (!p.tests[pc]!(cp)) continue;
      nextCount = add(p, s, next, nextCount, pc + 1, i + width);
      if (nextCount === MATCHED) return true;
    }
    const swap = current;
    current = next;
    next = swap;
    count = nextCount;
    i += width;
  }
  return count === MATCHED;
}

/** A compiled `=~` pattern: `test` is Alertmanager's `^(?:pattern)$` match of a whole value. */
export interface LabelPattern {
  readonly source: string;
  test(value: string): boolean;
}

/** Literal text and lists of literal alternatives (the common `critical|major`) skip the NFA. */
function literalText(node: Node): string | null {
  if (node.t === 'char') return node.literal === null ? null : String.fromCodePoint(node.literal);
  if (node.t !== 'cat') return null;
  let text = '';
  for (const item of node.items) {
    const part = literalText(item);
    if (part === null) return null;
    text += part;
  }
  return text;
}

function fastTest(node: Node): ((value: string) => boolean) | null {
  const text = literalText(node);
  if (text !== null) return (value) => value === text;
  if (node.t !== 'alt') return null;
  const texts = node.options.map(literalText);
  if (texts.some((t) => t === null)) return null;
  const set = new Set(texts as string[]);
  return (value) => set.has(value);
}

/** Compiles a pattern; throws RegexSyntaxError (positions in `pattern`) when RE2 would refuse it or it is over the limits. */
export function compilePattern(pattern: string): LabelPattern {
  if (pattern.length > PATTERN_LIMITS.patternLength) {
    throw new RegexSyntaxError(
      `the pattern has ${pattern.length} characters; the limit is ${PATTERN_LIMITS.patternLength}: split a long list of alternatives into several silences or use a label that groups them`,
      PATTERN_LIMITS.patternLength,
      pattern.length,
    );
  }
  const root = new RegexParser(pattern).parse();
  const fast = fastTest(root);
  if (fast) return { source: pattern, test: fast };
  const program = compileProgram(root, pattern);
  return { source: pattern, test: (value) => fullMatch(program, value) };
}

const patterns = new Map<string, LabelPattern>();
const MAX_CACHED_PATTERNS = 5_000;

/** The compiled pattern, from a cache: the same silences are checked against every alert. */
export function cachedPattern(pattern: string): LabelPattern {
  let compiled = patterns.get(pattern);
  if (!compiled) {
    compiled = compilePattern(pattern);
    if (patterns.size >= MAX_CACHED_PATTERNS) patterns.clear();
    patterns.set(pattern, compiled);
  }
  return compiled;
}

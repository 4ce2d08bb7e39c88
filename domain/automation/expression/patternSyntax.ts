/**
 * The syntax of `matches()` patterns: text to a small regular-expression tree whose
 * characters are already tests (classes, case folding and `.` resolved here), so the matcher
 * (pattern.ts) only steps through it.
 *
 * The syntax is the common core of Java's (which Camunda uses) and JavaScript's: literals, `.`,
 * classes `[a-z]` `[^…]`, `\d \w \s` and their negations (ASCII, as in Java), `\b \B`, `^ $`,
 * groups `( )` `(?: )` `(?<name> )`, `|`, and `* + ? {n} {n,} {n,m}` (lazy forms accepted;
 * for a yes/no answer they mean the same). As in Java, `$` also matches before a final line
 * break, so "active\n" matches "active$". Flags: `i`, `m`, `s`. What needs backtracking
 * (backreferences, lookaround) is refused.
 */

export class PatternError extends Error {
  override readonly name = 'PatternError';
}

export type CharTest = (cp: number) => boolean;
export type Assertion = 'start' | 'end' | 'word' | 'not-word';

export type Re =
  | { t: 'char'; test: CharTest }
  | { t: 'cat'; items: Re[] }
  | { t: 'alt'; options: Re[] }
  | { t: 'repeat'; body: Re; min: number; max: number }
  | { t: 'assert'; kind: Assertion };

export interface Flags {
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
}

const MAX_REPEAT = 1_000;

export function parseFlags(flags: string): Flags {
  for (const flag of flags) {
    if (flag === 'x') throw new PatternError("flag 'x' (comments in patterns) is not supported");
    if (!'ims'.includes(flag)) throw new PatternError(`unknown flag '${flag}': the flags are i (ignore case), m (^ and $ at every line) and s (. matches line breaks)`);
  }
  return { ignoreCase: flags.includes('i'), multiline: flags.includes('m'), dotAll: flags.includes('s') };
}

export const isLineBreak = (cp: number) => cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isDigit: CharTest = (cp) => cp >= 0x30 && cp <= 0x39;
const isWordChar: CharTest = (cp) => isDigit(cp) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
const isSpace: CharTest = (cp) => cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
const not = (test: CharTest): CharTest => (cp) => !test(cp);
const CLASS_ESCAPES: Readonly<Record<string, CharTest>> = { d: isDigit, D: not(isDigit), w: isWordChar, W: not(isWordChar), s: isSpace, S: not(isSpace) };
const CHAR_ESCAPES: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c };
/** `\b` boundaries see letters and digits of every script, as Java's do. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}_]/u;
export const isWordForBoundary = (cp: number | undefined) => cp !== undefined && LETTER_OR_DIGIT.test(String.fromCodePoint(cp));

/** Recursive descent over the pattern's characters (code points). */
export class PatternParser {
  private readonly chars: string[];
  private i = 0;

  constructor(
    source: string,
    private readonly flags: Flags,
  ) {
    this.chars = Array.from(source);
  }

  parse(): Re {
    const re = this.alternation();
    if (this.i < this.chars.length) this.fail("unmatched ')'", this.i);
    return re;
  }

  private fail(what: string, at: number, hint?: string): never {
    throw new PatternError(`${what} at character ${at + 1} of the pattern${hint ? `: ${hint}` : ''}`);
  }

  private peek(ahead = 0): string | undefined {
    return this.chars[this.i + ahead];
  }

  private alternation(): Re {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private sequence(): Re {
    const items: Re[] = [];
    while (this.i < this.chars.length && this.peek() !== '|' && this.peek() !== ')') items.push(this.quantified(this.atom()));
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  private quantified(atom: Re): Re {
    const at = this.i;
    const c = this.peek();
    const braces = c === '{' ? this.braces() : null;
    const bounds = c === '*' ? { min: 0, max: Infinity, length: 1 } : c === '+' ? { min: 1, max: Infinity, length: 1 } : c === '?' ? { min: 0, max: 1, length: 1 } : braces;
    if (!bounds) return atom;
    if (atom.t === 'assert') this.fail(`'${c}' has nothing to repeat`, at);
    this.i += bounds.length;
    if (this.peek() === '?') this.i++;
    else if (this.peek() === '+') this.fail('possessive repetitions (*+, ++) are not supported', this.i);
    return { t: 'repeat', body: atom, min: bounds.min, max: bounds.max };
  }

  /** `{n}`, `{n,}` or `{n,m}` at the cursor, or null when the brace is a literal one. */
  private braces(): { min: number; max: number; length: number } | null {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.chars.slice(this.i, this.i + 24).join(''));
    if (!m) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.fail(`a repetition count above ${MAX_REPEAT}`, this.i);
    if (max < min) this.fail(`{${min},${max}} has a smaller maximum than minimum`, this.i);
    return { min, max, length: m[0].length };
  }

  private atom(): Re {
    const at = this.i;
    const c = this.peek()!;
    this.i++;
    switch (c) {
      case '(':
        return this.group(at);
      case '[':
        return this.charClass(at);
      case '.':
        return { t: 'char', test: this.flags.dotAll ? () => true : not(isLineBreak) };
      case '^':
        return { t: 'assert', kind: 'start' };
      case '$':
        return { t: 'assert', kind: 'end' };
      case '\\':
        return this.escape(at);
      case '*':
      case '+':
      case '?':
        return this.fail(`'${c}' has nothing to repeat`, at);
      case '{':
        this.i--;
        if (this.braces()) this.fail("'{' has nothing to repeat", at);
        this.i++;
        return this.literal(0x7b);
      default:
        return this.literal(c.codePointAt(0)!);
    }
  }

  private group(at: number): Re {
    if (this.peek() === '?') {
      const kind = `${this.peek(1) ?? ''}${this.peek(2) ?? ''}`;
      if (kind[0] === ':') this.i += 2;
      else if (kind[0] === '=' || kind[0] === '!' || kind === '<=' || kind === '<!') this.fail('lookahead and lookbehind ((?=…), (?!…)) are not supported', at);
      else if (kind[0] === '<' && /\p{L}/u.test(kind[1] ?? '')) this.skipName(at);
      else this.fail('inline flags and other (?…) groups are not supported', at, 'pass flags as the third argument of matches()');
    }
    const body = this.alternation();
    if (this.peek() !== ')') this.fail("unclosed group '('", at);
    this.i++;
    return body;
  }

  /** `?<name>` of a named group: the name is only skipped, nothing refers to it. */
  private skipName(at: number): void {
    const close = this.chars.indexOf('>', this.i);
    if (close < 0) this.fail("unclosed group name '(?<'", at);
    this.i = close + 1;
  }

  private charClass(at: number): Re {
    const negated = this.peek() === '^';
    if (negated) this.i++;
    if (this.peek() === ']') this.fail("an empty class '[]'", at, 'write \\] for a literal ]');
    const parts: CharTest[] = [];
    while (this.peek() !== ']') {
      if (this.peek() === undefined) this.fail("unclosed class '['", at);
      const itemAt = this.i;
      const low = this.classItem();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.i++;
        const high = this.classItem();
        if (typeof low !== 'number' || typeof high !== 'number') this.fail('a range needs a single character at both ends', itemAt);
        if (high < low) this.fail('a range whose end comes before its start', itemAt);
        parts.push((cp) => cp >= low && cp <= high);
      } else {
        parts.push(typeof low === 'number' ? (cp) => cp === low : low);
      }
    }
    this.i++;
    const test = this.fold((cp) => parts.some((part) => part(cp)));
    return { t: 'char', test: negated ? not(test) : test };
  }

  /** One character of a class, or a class escape like `\d`. */
  private classItem(): number | CharTest {
    const at = this.i;
    const c = this.peek()!;
    this.i++;
    if (c === '[') this.fail('nested classes are not supported', at, 'write \\[ for a literal [');
    if (c === '&' && this.peek() === '&') this.fail('class intersections (&&) are not supported', at);
    if (c !== '\\') return c.codePointAt(0)!;
    const e = this.peek();
    if (e !== undefined && CLASS_ESCAPES[e]) {
      this.i++;
      return CLASS_ESCAPES[e]!;
    }
    return this.escapedChar(at);
  }

  private escape(at: number): Re {
    const e = this.peek();
    if (e === undefined) this.fail('a pattern cannot end with \\', at);
    if (CLASS_ESCAPES[e]) {
      this.i++;
      return { t: 'char', test: this.fold(CLASS_ESCAPES[e]!) };
    }
    if (e === 'b' || e === 'B') {
      this.i++;
      return { t: 'assert', kind: e === 'b' ? 'word' : 'not-word' };
    }
    return this.literal(this.escapedChar(at));
  }

  /** The character after a backslash: `\n`, `\x41`, `\u00e9`, or punctuation taken literally. */
  private escapedChar(at: number): number {
    const e = this.peek()!;
    this.i++;
    if (CHAR_ESCAPES[e] !== undefined) return CHAR_ESCAPES[e]!;
    if (e === 'x' || e === 'u') {
      const digits = e === 'x' ? 2 : 4;
      const hex = this.chars.slice(this.i, this.i + digits).join('');
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) this.fail(`'\\${e}' needs ${digits} hexadecimal digits`, at);
      this.i += digits;
      return parseInt(hex, 16);
    }
    if (/[1-9k]/.test(e)) this.fail(`backreferences (\\${e}) are not supported`, at);
    if (e === 'p' || e === 'P') this.fail(`Unicode classes (\\${e}{…}) are not supported yet`, at);
    if (/[\p{L}\p{N}]/u.test(e)) this.fail(`unknown escape '\\${e}'`, at);
    return e.codePointAt(0)!;
  }

  private literal(cp: number): Re {
    return { t: 'char', test: this.fold((c) => c === cp) };
  }

  /** With `i`, a test also accepts the other case of the character. */
  private fold(test: CharTest): CharTest {
    if (!this.flags.ignoreCase) return test;
    return (cp) => test(cp) || test(otherCase(cp, 'lower')) || test(otherCase(cp, 'upper'));
  }
}

function otherCase(cp: number, to: 'lower' | 'upper'): number {
  const char = String.fromCodePoint(cp);
  const changed = to === 'lower' ? char.toLowerCase() : char.toUpperCase();
  const first = changed.codePointAt(0)!;
  return changed.length === String.fromCodePoint(first).length ? first : cp;
}

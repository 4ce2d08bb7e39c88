/**
 * A POSIX/bash lexer just deep enough to see commands the way the shell will run them:
 * quotes and backslashes removed, `$(…)`/backticks/`${…}` kept as structure, line
 * continuations joined, comments and here-document bodies set aside, commands split at
 * `;` `&&` `||` `|` `&` `(` `)` and newlines. It never throws: text it cannot make sense
 * of becomes words, because the check must see something rather than nothing.
 */

export type Part =
  | { kind: 'text'; value: string; quoted: boolean }
  /** `$NAME`, `${NAME…}`: `op` is '' (plain), a default/alternative operator, or 'other' (any other transformation). */
  | { kind: 'param'; name: string; op: ParamOp; arg: Part[] | null; quoted: boolean }
  /** Command substitution, arithmetic and process substitution, with the text inside. */
  | { kind: 'subst'; form: '$(' | '$((' | '<(' | '>('; body: string; quoted: boolean }
  | { kind: 'tilde'; user: string }
  /** `NAME=(a b c)`: only ever inside an assignment word. */
  | { kind: 'array'; words: Word[] };

export type ParamOp = '' | ':-' | '-' | ':=' | '=' | ':?' | '?' | ':+' | '+' | 'other';
export type Word = Part[];

/** `>` truncates, `>>` appends, `<` reads, `<<<` a here-string, `<<` a here-document (its body in `body`), `dup` copies a descriptor. */
export interface Redirect {
  op: '>' | '>>' | '<' | '<<<' | '<<' | 'dup';
  target: Word;
  body?: string;
}

export interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
  /** 1-based lines of the original text where the command starts and ends. */
  line: number;
  endLine: number;
}

export interface Pipeline {
  commands: SimpleCommand[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATOR = new Set([';', '&', '|', '(', ')', '<', '>']);

export function lex(src: string, firstLine = 1): Pipeline[] {
  return new Lexer(src, firstLine).run();
}

class Lexer {
  private i = 0;
  private line: number;
  private readonly pipelines: Pipeline[] = [];
  private pipeline: SimpleCommand[] = [];
  private cmd: SimpleCommand | null = null;
  private word: Part[] | null = null;
  private pending: { op: Redirect['op'] | '>&'; stripTabs: boolean } | null = null;
  private heredocs: { redirect: Redirect; delimiter: string; stripTabs: boolean }[] = [];
  private depth = 0;

  constructor(
    private readonly src: string,
    firstLine: number,
  ) {
    this.line = firstLine;
  }

  run(): Pipeline[] {
    const { src } = this;
    while (this.i < src.length) {
      const c = src[this.i]!;
      if (c === '\n') {
        this.endPipeline();
        this.i++;
        this.line++;
        this.readHeredocs();
      } else if (c === ' ' || c === '\t' || c === '\r') {
        this.endWord();
        this.i++;
      } else if (c === '#' && this.word === null) {
        while (this.i < src.length && src[this.i] !== '\n') this.i++;
      } else if (c === '\\') {
        if (src[this.i + 1] === '\n') this.line++;
        else if (this.i + 1 < src.length) this.text(src[this.i + 1]!, true);
        this.i += 2;
      } else if (c === "'") {
        const end = indexOrEnd(src, "'", this.i + 1);
        this.text(this.take(this.i + 1, end), true);
        this.i = end + 1;
      } else if (c === '"') {
        this.doubleQuoted();
      } else if (c === '`') {
        this.backtick(false);
      } else if (c === '$') {
        this.dollar(false);
      } else if ((c === '<' || c === '>') && src[this.i + 1] === '(' && this.word === null) {
        const end = matchClose(src, this.i + 1);
        this.part({ kind: 'subst', form: `${c}(` as '<(' | '>(', body: this.take(this.i + 2, end), quoted: false });
        this.i = end + 1;
      } else if (OPERATOR.has(c)) {
        this.operator(c);
      } else if (c === '~' && this.word === null && this.tilde()) {
        // consumed
      } else {
        this.text(c, false);
        this.i++;
      }
    }
    this.endPipeline();
    return this.pipelines;
  }

  /** src.slice(from, to), counting the newlines it crosses. */
  private take(from: number, to: number): string {
    const piece = this.src.slice(from, to);
    for (const ch of piece) if (ch === '\n') this.line++;
    return piece;
  }

  private ensureCommand(): SimpleCommand {
    return (this.cmd ??= { words: [], redirects: [], line: this.line, endLine: this.line });
  }

  private part(part: Part): void {
    this.ensureCommand();
    (this.word ??= []).push(part);
  }

  private text(value: string, quoted: boolean): void {
    this.ensureCommand();
    const word = (this.word ??= []);
    const last = word[word.length - 1];
    if (last?.kind === 'text' && last.quoted === quoted) last.value += value;
    else word.push({ kind: 'text', value, quoted });
  }

  private endWord(): void {
    const word = this.word;
    if (word === null) return;
    this.word = null;
    const cmd = this.ensureCommand();
    if (this.pending) {
      const literal = literalText(word);
      let op = this.pending.op;
      if (op === '>&') op = literal !== null && /^(\d+|-)$/.test(literal) ? 'dup' : '>';
      const redirect: Redirect = { op, target: word };
      cmd.redirects.push(redirect);
      if (op === '<<') this.heredocs.push({ redirect, delimiter: word.map((p) => (p.kind === 'text' ? p.value : '')).join(''), stripTabs: this.pending.stripTabs });
      this.pending = null;
    } else {
      cmd.words.push(word);
    }
  }

  private endCommand(): void {
    this.endWord();
    if (this.cmd && (this.cmd.words.length || this.cmd.redirects.length)) {
      this.cmd.endLine = this.line;
      this.pipeline.push(this.cmd);
    }
    this.cmd = null;
    this.pending = null;
  }

  private endPipeline(): void {
    this.endCommand();
    if (this.pipeline.length) this.pipelines.push({ commands: this.pipeline });
    this.pipeline = [];
  }

  private operator(c: string): void {
    const { src } = this;
    const next = src[this.i + 1];
    if (c === '<' || c === '>') {
      // A word of digits right before the operator is a file descriptor number, not an argument.
      const literal = this.word ? literalText(this.word) : null;
      if (literal !== null && /^\d+$/.test(literal) && this.word!.every((p) => p.kind === 'text' && !p.quoted)) this.word = null;
      else this.endWord();
      this.ensureCommand();
      const ops: [string, Redirect['op'] | '>&'][] = [['<<<', '<<<'], ['<<-', '<<'], ['<<', '<<'], ['<>', '>'], ['<&', 'dup'], ['>>', '>>'], ['>|', '>'], ['>&', '>&'], ['<', '<'], ['>', '>']];
      const [text, op] = ops.find(([t]) => src.startsWith(t, this.i))!;
      this.pending = { op, stripTabs: text === '<<-' };
      this.i += text.length;
      return;
    }
    if (c === '(' && this.word) {
      const before = this.i;
      this.arrayAssignment();
      if (this.i !== before) return;
    }
    this.endWord();
    if (c === '&' && next === '>') {
      const append = src[this.i + 2] === '>';
      this.ensureCommand();
      this.pending = { op: append ? '>>' : '>', stripTabs: false };
      this.i += append ? 3 : 2;
      return;
    }
    if (c === '|' && next !== '|') {
      this.endCommand();
      this.i += next === '&' ? 2 : 1;
      return;
    }
    if (c === '(') {
      this.openParen();
      return;
    }
    if (c === ')') {
      if (this.depth > 0) this.depth--;
      else this.dropCasePattern();
      this.endPipeline();
      this.i++;
      return;
    }
    // ; ;; ;& ;;& & && ||
    this.endPipeline();
    this.i += (c === ';' && next === ';') || (c === '&' && next === '&') || (c === '|' && next === '|') || (c === ';' && next === '&') ? 2 : 1;
    if (src[this.i] === '&' && src[this.i - 1] === ';') this.i++;
  }

  private openParen(): void {
    const { src } = this;
    let j = this.i + 1;
    while (src[j] === ' ' || src[j] === '\t') j++;
    // `name() { … }`: a function definition, not a command called name.
    if (src[j] === ')' && this.cmd && this.cmd.words.length === 1 && this.cmd.redirects.length === 0) {
      this.cmd.words = [];
      this.i = j + 1;
      return;
    }
    this.endPipeline();
    this.depth++;
    this.i++;
  }

  /** An unmatched `)` ends a case pattern (`reboot)`, `start|stop)`): the pattern is not a command. */
  private dropCasePattern(): void {
    this.endWord();
    const commands = [...this.pipeline, ...(this.cmd ? [this.cmd] : [])];
    const firstWord = commands[0]?.words[0];
    if ((firstWord && literalText(firstWord) === 'case') || commands.every((cmd) => cmd.words.length <= 1 && cmd.redirects.length === 0)) {
      this.pipeline = [];
      this.cmd = null;
    }
  }

  private readHeredocs(): void {
    const { src } = this;
    for (const heredoc of this.heredocs) {
      const body: string[] = [];
      while (this.i < src.length) {
        const end = indexOrEnd(src, '\n', this.i);
        const raw = src.slice(this.i, end);
        this.i = end + 1;
        this.line++;
        if ((heredoc.stripTabs ? raw.replace(/^\t+/, '') : raw).replace(/\r$/, '') === heredoc.delimiter) break;
        body.push(raw);
      }
      heredoc.redirect.body = body.join('\n');
    }
    this.heredocs = [];
  }

  private doubleQuoted(): void {
    const { src } = this;
    this.i++;
    this.text('', true);
    while (this.i < src.length && src[this.i] !== '"') {
      const c = src[this.i]!;
      if (c === '\\') {
        const next = src[this.i + 1];
        if (next === '\n') {
          this.line++;
          this.i += 2;
        } else if (next !== undefined && '$`"\\'.includes(next)) {
          this.text(next, true);
          this.i += 2;
        } else {
          this.text('\\', true);
          this.i++;
        }
      } else if (c === '$') {
        this.dollar(true);
      } else if (c === '`') {
        this.backtick(true);
      } else {
        if (c === '\n') this.line++;
        this.text(c, true);
        this.i++;
      }
    }
    this.i++;
  }

  private backtick(quoted: boolean): void {
    const { src } = this;
    let j = this.i + 1;
    let body = '';
    while (j < src.length && src[j] !== '`') {
      if (src[j] === '\\' && j + 1 < src.length && '`\\$'.includes(src[j + 1]!)) j++;
      if (src[j] === '\n') this.line++;
      body += src[j++];
    }
    this.part({ kind: 'subst', form: '$(', body, quoted });
    this.i = j + 1;
  }

  private dollar(quoted: boolean): void {
    const { src } = this;
    const next = src[this.i + 1];
    if (next === "'" && !quoted) {
      const { value, end } = ansiC(src, this.i + 2);
      this.text(value, true);
      this.i = end + 1;
    } else if (next === '"' && !quoted) {
      this.i++;
      this.doubleQuoted();
    } else if (next === '(') {
      const arithmetic = src[this.i + 2] === '(';
      const end = matchClose(src, this.i + 1);
      const body = this.take(this.i + (arithmetic ? 3 : 2), arithmetic ? Math.max(this.i + 3, end - 1) : end);
      this.part({ kind: 'subst', form: arithmetic ? '$((' : '$(', body, quoted });
      this.i = end + 1;
    } else if (next === '{') {
      const end = matchClose(src, this.i + 1, '{', '}');
      this.part(parameter(this.take(this.i + 2, end), quoted));
      this.i = end + 1;
    } else if (next !== undefined && /[A-Za-z_]/.test(next)) {
      const name = NAME.exec(src.slice(this.i + 1))![0];
      this.part({ kind: 'param', name, op: '', arg: null, quoted });
      this.i += 1 + name.length;
    } else if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      this.part({ kind: 'param', name: next, op: '', arg: null, quoted });
      this.i += 2;
    } else {
      this.text('$', quoted);
      this.i++;
    }
  }

  /** `~` or `~user` at the start of a word, when followed by `/` or the word's end. */
  private tilde(): boolean {
    const { src } = this;
    const user = /^[A-Za-z0-9._-]*/.exec(src.slice(this.i + 1))![0];
    const after = src[this.i + 1 + user.length];
    if (after !== undefined && after !== '/' && !/[\s;&|()<>]/.test(after)) return false;
    this.part({ kind: 'tilde', user });
    this.i += 1 + user.length;
    return true;
  }

  /** `NAME=(…)` right after the `=`; called when a `(` follows a word that is an assignment. */
  private arrayAssignment(): void {
    const literal = this.word ? literalText(this.word) : null;
    if (literal === null || !/^[A-Za-z_][A-Za-z0-9_]*\+?=$/.test(literal)) return;
    const end = matchClose(this.src, this.i);
    const words = lex(this.src.slice(this.i + 1, end)).flatMap((p) => p.commands.flatMap((c) => c.words));
    this.take(this.i, end);
    this.part({ kind: 'array', words });
    this.i = end + 1;
  }
}

/** The text of a word made only of text parts, or null. */
export function literalText(word: Word): string | null {
  let text = '';
  for (const part of word) {
    if (part.kind !== 'text') return null;
    text += part.value;
  }
  return text;
}

function indexOrEnd(src: string, needle: string, from: number): number {
  const at = src.indexOf(needle, from);
  return at === -1 ? src.length : at;
}

/**
 * The index of the bracket closing the one at `open`, skipping quoted text and nested
 * brackets; the end of the text when there is none. A `)` of a case pattern inside `$(…)`
 * ends it early, which leaves the rest of the body to be read as commands: seen, not hidden.
 */
export function matchClose(src: string, open: number, opening = '(', closing = ')'): number {
  let depth = 0;
  for (let j = open; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === "'" && opening === '(') j = indexOrEnd(src, "'", j + 1);
    else if (c === '"') {
      for (j++; j < src.length && src[j] !== '"'; j++) if (src[j] === '\\') j++;
    } else if (c === opening) depth++;
    else if (c === closing && --depth === 0) return j;
  }
  return src.length;
}

function parameter(inner: string, quoted: boolean): Part {
  const other = (name: string): Part => ({ kind: 'param', name, op: 'other', arg: null, quoted });
  if (inner.startsWith('!')) return other(NAME.exec(inner.slice(1))?.[0] ?? '!');
  if (inner.startsWith('#') && inner.length > 1) return other(inner.slice(1));
  const match = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])([\s\S]*)$/.exec(inner);
  if (!match) return other(inner);
  const [, name, rest] = match as unknown as [string, string, string];
  if (rest === '' || rest === '[@]' || rest === '[*]') return { kind: 'param', name, op: '', arg: null, quoted };
  const op = (['::-', ':=', ':?', ':+'].includes(`:${rest.slice(0, 2)}`) ? rest.slice(0, 2) : ['-', '=', '?', '+'].includes(rest[0]!) ? rest[0] : null) as ParamOp | null;
  if (op === null) return other(name);
  const words = lex(rest.slice(op.length)).flatMap((p) => p.commands.flatMap((c) => c.words));
  const arg = words.flatMap((word, k): Part[] => (k ? [{ kind: 'text', value: ' ', quoted: true }, ...word] : word));
  return { kind: 'param', name, op, arg: quoted ? arg.map((p) => (p.kind === 'text' ? { ...p, quoted: true } : p)) : arg, quoted };
}

/** `$'…'` with its escapes decoded, and the index of the closing quote. */
function ansiC(src: string, from: number): { value: string; end: number } {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  let value = '';
  let j = from;
  while (j < src.length && src[j] !== "'") {
    if (src[j] !== '\\') {
      value += src[j++];
      continue;
    }
    const rest = src.slice(j + 1);
    const code = /^x([0-9a-fA-F]{1,2})/.exec(rest) ?? /^u([0-9a-fA-F]{1,4})/.exec(rest) ?? /^U([0-9a-fA-F]{1,8})/.exec(rest);
    const octal = /^[0-7]{1,3}/.exec(rest);
    if (code) {
      value += String.fromCodePoint(Math.min(parseInt(code[1]!, 16), 0x10ffff));
      j += 1 + code[0].length;
    } else if (octal) {
      value += String.fromCharCode(parseInt(octal[0], 8) & 0xff);
      j += 1 + octal[0].length;
    } else if (rest[0] === 'c' && rest.length > 1) {
      value += String.fromCharCode(rest.charCodeAt(1) & 0x1f);
      j += 3;
    } else {
      value += simple[rest[0] ?? ''] ?? `\\${rest[0] ?? ''}`;
      j += 2;
    }
  }
  return { value, end: j };
}

/**
 * Words as the shell would pass them to a command, as far as the script text tells.
 * Variables are read flow-insensitively: a variable may hold any value assigned to it
 * anywhere in the script (a branch or a loop cannot hide a value), and one assigned only
 * from what the text cannot know is *unresolved*. Each command is expanded twice: in `mark`
 * mode an unresolved expansion stays visible as `$NAME` or `$(cmd)`, so rules can flag a
 * target they cannot see; in `empty` mode it is the empty string, which is what the shell
 * does with an unset variable, so `rm -rf "$DIR/"` reads as `rm -rf /`.
 */

import { lex, literalText, type Part, type Pipeline, type Word } from './lexer';
import { pipelineOutput } from './payload';

export type Mode = 'mark' | 'empty';

export type VarValue = { kind: 'word'; word: Word } | { kind: 'fields'; words: Word[] } | { kind: 'unknown' };

export interface Variables {
  values: Map<string, VarValue[]>;
  /** Characters that split unquoted expansions: space, tab, newline and whatever IFS is set to. */
  ifs: string;
}

/** The most values remembered per variable, and alternatives per word or command; beyond, the check says it could not follow. */
const MAX_VALUES = 8;
export const MAX_ALTERNATIVES = 32;
const MAX_DEPTH = 8;

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/;
const DECLARERS = new Set(['export', 'readonly', 'declare', 'typeset', 'local']);
const READERS = new Set(['read', 'mapfile', 'readarray', 'getopts']);
/** Reserved words that can stand before an assignment or a command: `then X=/`, `! cmd`. */
const LEADING = new Set(['!', '{', '(', 'if', 'then', 'elif', 'else', 'do', 'while', 'until', 'time']);

/** Every value the script assigns, plus values the caller knows (runbook parameters passed as environment variables). */
export function collectVariables(pipelines: Pipeline[], known: Record<string, string> = {}, into?: Variables): Variables {
  const vars: Variables = into ? { values: new Map([...into.values].map(([k, v]) => [k, [...v]])), ifs: into.ifs } : { values: new Map(), ifs: ' \t\n' };
  const add = (name: string, value: VarValue) => {
    const list = vars.values.get(name) ?? [];
    if (list.length < MAX_VALUES) list.push(value);
    else if (!list.some((v) => v.kind === 'unknown')) list[MAX_VALUES - 1] = { kind: 'unknown' };
    vars.values.set(name, list);
    if (name === 'IFS' && value.kind === 'word') vars.ifs += literalText(value.word) ?? '';
  };
  for (const [name, value] of Object.entries(known)) add(name, { kind: 'word', word: [{ kind: 'text', value, quoted: true }] });
  for (const { commands } of pipelines) {
    for (const { words } of commands) {
      let k = 0;
      while (k < words.length && (LEADING.has(literalText(words[k]!) ?? '') || assign(words[k]!, add))) k++;
      const head = k < words.length ? literalText(words[k]!) : null;
      if (head === null) continue;
      const rest = words.slice(k + 1);
      if (DECLARERS.has(head)) rest.forEach((word) => assign(word, add));
      else if (READERS.has(head) || head === 'printf') {
        for (const word of rest) {
          const name = literalText(word);
          if (name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) add(name, { kind: 'unknown' });
        }
      } else if (head === 'for' || head === 'select') {
        const name = rest[0] ? literalText(rest[0]) : null;
        if (!name) continue;
        if (rest[1] && literalText(rest[1]) === 'in') rest.slice(2).forEach((word) => add(name, { kind: 'word', word }));
        else add(name, { kind: 'unknown' });
      }
    }
  }
  return vars;
}

function assign(word: Word, add: (name: string, value: VarValue) => void): boolean {
  const first = word[0];
  if (first?.kind !== 'text' || first.quoted) return false;
  const match = ASSIGNMENT.exec(first.value);
  if (!match) return false;
  const [whole, name, append] = match as unknown as [string, string, string];
  const value: Word = [...(first.value.length > whole.length ? [{ ...first, value: first.value.slice(whole.length) }] : []), ...word.slice(1)];
  const array = value.length === 1 && value[0]!.kind === 'array' ? value[0] : null;
  if (append) add(name, { kind: 'unknown' });
  else add(name, array ? { kind: 'fields', words: array.words } : { kind: 'word', word: value });
  return true;
}

interface Segment {
  s: string;
  /** Brace expansion applies only to literal, unquoted text. */
  braces: boolean;
}
/** `null` splits fields, as unquoted `$IFS` or a space inside an unquoted value does. */
type Piece = (Segment | null)[];

export interface ExpandContext {
  vars: Variables;
  mode: Mode;
  /** Called when alternatives were cut at the limit. */
  overflow(): void;
  /** How many `$(…)` deep the expansion is. */
  depth?: number;
}

/** A command's words in every reading the variables allow: each a list of argument strings. */
export function expandWords(words: Word[], ctx: ExpandContext): string[][] {
  let results: string[][] = [[]];
  for (const word of words) {
    const options = expandWord(word, ctx);
    results = product(results, options, (a, b) => [...a, ...b], ctx);
  }
  return results;
}

/** One word in every reading: each reading is the list of fields (words) it becomes. */
export function expandWord(word: Word, ctx: ExpandContext): string[][] {
  return expandParts(word, ctx, new Set()).map((piece) => fieldsOf(piece).flatMap(braceExpand));
}

function expandParts(parts: Part[], ctx: ExpandContext, active: Set<string>): Piece[] {
  let pieces: Piece[] = [[]];
  for (const part of parts) pieces = product(pieces, partPieces(part, ctx, active), (a, b) => [...a, ...b], ctx);
  return pieces;
}

function partPieces(part: Part, ctx: ExpandContext, active: Set<string>): Piece[] {
  switch (part.kind) {
    case 'text':
      return [[{ s: part.value, braces: !part.quoted }]];
    case 'tilde':
      return [[{ s: `~${part.user}`, braces: false }]];
    case 'array':
      return [[{ s: '(…)', braces: false }]];
    case 'subst':
      return [substPiece(part, ctx)];
    case 'param':
      return paramPieces(part, ctx, active);
  }
}

/**
 * `$(…)` whose text the script holds (`$(echo rm)`, `$(printf 'r\x6d')`, `$(echo … | base64 -d)`)
 * is that text; `$(which rm)` is rm; `$(mktemp …)` a fresh temporary path. Any other output is
 * unknown and shows as `$(first-word)` in mark mode.
 */
function substPiece(part: Extract<Part, { kind: 'subst' }>, ctx: ExpandContext): Piece {
  const name = commandNameOf(part.body);
  if (part.form === '$((') return [{ s: '$((…))', braces: false }];
  if (part.form !== '$(') return [{ s: `${part.form}${name})`, braces: false }];
  if (name === 'mktemp') return [{ s: '/tmp/tmp.XXXXXXXXXX', braces: false }];
  const output = (ctx.depth ?? 0) < MAX_DEPTH ? substOutput(part.body, { ...ctx, mode: 'mark', depth: (ctx.depth ?? 0) + 1 }) : null;
  if (output !== null) {
    const text = output.replace(/\n+$/, '');
    if (part.quoted) return [{ s: text, braces: false }];
    return text.split(new RegExp(`[${escapeClass(ctx.vars.ifs)}]+`)).flatMap((chunk, i): Piece => [...(i ? [null] : []), ...(chunk ? [{ s: chunk, braces: false }] : [])]);
  }
  if (ctx.mode === 'mark') return [{ s: `$(${name})`, braces: false }];
  return part.quoted ? [{ s: '', braces: false }] : [];
}

function substOutput(body: string, ctx: ExpandContext): string | null {
  const pipelines = lex(body);
  if (pipelines.length !== 1) return null;
  const commands = pipelines[0]!.commands.map((command) => {
    const hereString = command.redirects.find((r) => r.op === '<<<');
    const heredoc = command.redirects.find((r) => r.op === '<<');
    const stdin = hereString ? `${expandWords([hereString.target], ctx)[0]?.join(' ') ?? ''}\n` : heredoc ? `${heredoc.body ?? ''}\n` : null;
    return { words: expandWords(command.words, ctx)[0] ?? [], stdin };
  });
  const [first] = commands;
  if (commands.length === 1 && first && ['which', 'command', 'type'].includes(first.words[0] ?? '')) {
    const target = first.words.slice(1).filter((w) => !w.startsWith('-'));
    if (target.length === 1) return target[0]!;
  }
  return pipelineOutput(commands);
}

/** The name of the first command of a script, for showing `$(…)`. */
export function commandNameOf(body: string): string {
  const first = lex(body)[0]?.commands[0]?.words.find((word) => !ASSIGNMENT.test(literalText(word) ?? '='));
  const text = first ? literalText(first) : null;
  return text ? text.slice(text.lastIndexOf('/') + 1) || text : '…';
}

function paramPieces(part: Extract<Part, { kind: 'param' }>, ctx: ExpandContext, active: Set<string>): Piece[] {
  const marker: Piece = [{ s: `$${part.name}`, braces: false }];
  const empty: Piece = part.quoted ? [{ s: '', braces: false }] : [];
  const unresolved = ctx.mode === 'mark' ? marker : empty;
  if (part.name === 'IFS' && part.op === '' && !ctx.vars.values.has('IFS')) return [part.quoted ? [{ s: ' ', braces: false }] : [null]];
  if (part.name === 'HOME' && !ctx.vars.values.has('HOME')) return [[{ s: '~', braces: false }]];
  const values = part.op === 'other' || active.has(part.name) || active.size > MAX_DEPTH ? undefined : ctx.vars.values.get(part.name);
  const known: Piece[] = [];
  let unknown = values === undefined;
  for (const value of values ?? []) {
    if (value.kind === 'unknown') unknown = true;
    else known.push(...valuePieces(value, part, ctx, new Set([...active, part.name])));
  }
  const arg = () => expandParts(part.arg ?? [], ctx, active);
  switch (part.op) {
    case ':-':
    case '-':
    case ':=':
    case '=':
      return [...known, ...(unknown ? (ctx.mode === 'mark' ? [marker] : arg()) : [])];
    case ':?':
    case '?':
      // The shell stops the script rather than expand an unset variable here: never empty.
      return [...known, ...(unknown ? [marker] : [])];
    case ':+':
    case '+':
      return [...(known.length ? arg() : []), ...(unknown ? [unresolved] : [])];
    default:
      return [...known, ...(unknown ? [unresolved] : [])];
  }
}

/** A variable's value as text: quoted it stays one field, unquoted it splits on IFS. */
function valuePieces(value: Exclude<VarValue, { kind: 'unknown' }>, part: Extract<Part, { kind: 'param' }>, ctx: ExpandContext, active: Set<string>): Piece[] {
  const words = value.kind === 'word' ? [value.word] : value.words;
  let pieces: Piece[] = [[]];
  words.forEach((word, k) => {
    const options = expandParts(word, ctx, active).map((piece): Piece => (k ? [null, ...piece] : piece));
    pieces = product(pieces, options, (a, b) => [...a, ...b], ctx);
  });
  return pieces.map((piece) => {
    const out: Piece = part.quoted ? [{ s: '', braces: false }] : [];
    for (const segment of piece) {
      if (segment === null) out.push(part.quoted ? { s: ' ', braces: false } : null);
      else if (part.quoted) out.push({ s: segment.s, braces: false });
      else segment.s.split(new RegExp(`([${escapeClass(ctx.vars.ifs)}]+)`)).forEach((chunk, i) => (i % 2 ? out.push(null) : chunk ? out.push({ s: chunk, braces: false }) : undefined));
    }
    return out;
  });
}

function escapeClass(chars: string): string {
  return [...new Set(chars)].map((c) => (/[\]\\^-]/.test(c) ? `\\${c}` : c === '\n' ? '\\n' : c === '\t' ? '\\t' : c)).join('');
}

/** Splits at field breaks; a field made only of unquoted empty expansions disappears, `""` stays. */
function fieldsOf(piece: Piece): Segment[][] {
  const fields: Segment[][] = [];
  let current: Segment[] = [];
  for (const segment of piece) {
    if (segment !== null) current.push(segment);
    else if (current.length) {
      fields.push(current);
      current = [];
    }
  }
  if (current.length) fields.push(current);
  return fields.filter((field) => field.some((s) => s.s !== '' || !s.braces));
}

const MAX_BRACE_WORDS = 64;

/** Bash brace expansion of unquoted `{a,b}` (nested too): `{rm,-rf,/}` is three words. */
function braceExpand(field: Segment[]): string[] {
  const text = field.map((s) => s.s).join('');
  const active = field.flatMap((s) => [...s.s].map(() => s.braces));
  return braces(text, active).slice(0, MAX_BRACE_WORDS);
}

function braces(text: string, active: boolean[]): string[] {
  for (let open = 0; open < text.length; open++) {
    if (text[open] !== '{' || !active[open]) continue;
    let depth = 0;
    let close = -1;
    const commas: number[] = [];
    for (let j = open; j < text.length && close < 0; j++) {
      if (!active[j]) continue;
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) close = j;
      else if (text[j] === ',' && depth === 1) commas.push(j);
    }
    if (close < 0 || commas.length === 0) continue;
    const bounds = [open, ...commas, close];
    const words: string[] = [];
    for (let k = 0; k + 1 < bounds.length && words.length < MAX_BRACE_WORDS; k++) {
      const [from, to] = [bounds[k]! + 1, bounds[k + 1]!];
      const joined = text.slice(0, open) + text.slice(from, to) + text.slice(close + 1);
      const mask = [...active.slice(0, open), ...active.slice(from, to), ...active.slice(close + 1)];
      words.push(...braces(joined, mask));
    }
    return words;
  }
  return [text];
}

function product<A, B>(left: A[], right: B[], join: (a: A, b: B) => A, ctx: ExpandContext): A[] {
  const out: A[] = [];
  for (const a of left) {
    for (const b of right) {
      if (out.length >= MAX_ALTERNATIVES) {
        ctx.overflow();
        return out;
      }
      out.push(join(a, b));
    }
  }
  return out;
}

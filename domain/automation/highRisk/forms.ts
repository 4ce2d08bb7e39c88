/**
 * Canonical forms: each simple command as the one line rules match, `name arg arg >target`,
 * after quotes, escapes, variables and braces are expanded, the program's path is cut to
 * its name (`/bin/rm` is `rm`), wrappers are looked through (`sudo`, `env`, `xargs`, …),
 * paths are normalised (`//etc/./` is `/etc`) and globs over top-level directories are
 * listed (`/e?c` is `/etc`, see paths.ts). Scripts inside commands (`sh -c`, `eval`, `ssh host …`,
 * `$(…)`, decoded payloads) are checked as scripts. docs/automation-safety.md.
 */

import { collectVariables, expandWord, expandWords, type ExpandContext, type Mode, type Variables } from './expand';
import { lex, type Part, type Pipeline, type Redirect, type SimpleCommand, type Word } from './lexer';
import { globMatches, normalizeArg, programName } from './paths';
import { isDecoder, runText } from './payload';
import { CONTAINER_EXEC_VALUES, SHELLS, SSH_VALUES, SU_SCRIPTS, SU_VALUES, unwrap, WRAPPERS } from './wrappers';

/** Where the forms of one line go. */
export interface Collector {
  command(form: string): void;
  /** Text with quotes, backslashes and whitespace removed, for `line` rules. */
  compact(text: string): void;
  /** Something the check could not follow; it becomes a finding, never a silent pass. */
  incomplete(reason: string): void;
}

interface Resolved {
  words: string[];
  redirects: string[];
  hereString: string | null;
  heredoc: string | null;
}

interface Scan {
  vars: Variables;
  out: Collector;
  depth: number;
  seen: Set<string>;
}

const MAX_NESTING = 16;
const MAX_WRAPPERS = 10;
const MAX_PIPELINE_FORMS = 16;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
const RESERVED = new Set(['!', '{', '}', '(', ')', 'if', 'then', 'elif', 'else', 'fi', 'do', 'done', 'while', 'until', 'esac', 'coproc']);
const CLAUSES = new Set(['for', 'select', 'case', 'in']);
const UNRESOLVED_WORD = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?!$-]|\([^)]*\))$/;

export function scanPipeline(pipeline: Pipeline, vars: Variables, out: Collector): void {
  scanIn(pipeline, { vars, out, depth: 0, seen: new Set() });
}

/** Quotes, backslashes, whitespace and comment lines removed: the shape `line` rules look at. */
export function compact(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, '')
    .replace(/['"\\\s]/g, '');
}

/** A script inside a command: checked like script text, its findings on the outer line. */
function scanScript(text: string, scan: Scan): void {
  if (scan.seen.has(text)) return;
  scan.seen.add(text);
  if (scan.depth >= MAX_NESTING) return scan.out.incomplete(`a script inside a script is nested more than ${MAX_NESTING} levels deep; the innermost was not checked`);
  const pipelines = lex(text);
  const inner: Scan = { ...scan, vars: collectVariables(pipelines, {}, scan.vars), depth: scan.depth + 1 };
  scan.out.compact(compact(text));
  for (const pipeline of pipelines) scanIn(pipeline, inner);
}

function scanIn(pipeline: Pipeline, scan: Scan): void {
  const variants = pipeline.commands.map((command) => resolveCommand(command, scan));
  const forms = variants.map((list) => unique(list.flatMap(render)));
  for (const form of forms.flat()) scan.out.command(form);
  if (forms.filter((list) => list.length).length > 1) {
    let joined: string[] = [''];
    for (const list of forms.filter((l) => l.length)) joined = joined.flatMap((left) => list.map((form) => (left ? `${left} | ${form}` : form))).slice(0, MAX_PIPELINE_FORMS);
    joined.forEach((form) => scan.out.command(form));
  }
  payloads(variants, scan);
}

/** Text that reaches a shell, or that a decoder produced, is checked as a script. */
function payloads(variants: Resolved[][], scan: Scan): void {
  let text: string | null = null;
  variants.forEach((list, i) => {
    for (const variant of list) if (variant.hereString !== null && readsStdinScript(variant.words)) scanScript(variant.hereString, scan);
    const input = text;
    text = list.map((variant) => runText(variant.words, variant.hereString ?? variant.heredoc ?? input)).find((out) => out !== null) ?? null;
    const next = variants[i + 1];
    if (text !== null && (list.some((variant) => isDecoder(variant.words)) || next?.some((variant) => readsStdinScript(variant.words)))) scanScript(text, scan);
    for (const variant of list) xargsInput(variant, input, scan);
  });
}

/** `echo / | xargs rm -rf`, `xargs -I{} rm -rf {} <<< /`: input the script holds becomes the arguments. */
function xargsInput(variant: Resolved, piped: string | null, scan: Scan): void {
  const input = variant.hereString ?? variant.heredoc ?? piped;
  if (variant.words[0] !== 'xargs' || input === null) return;
  const args = variant.words.slice(1);
  const run = unwrap(WRAPPERS.xargs!, args);
  if (run.kind !== 'command') return;
  const at = args.findIndex((a) => /^(-I|-i|--replace)/.test(a));
  const replace = at < 0 ? null : args[at] === '-I' ? args[at + 1] : args[at]!.replace(/^(-I|-i|--replace=?)/, '') || '{}';
  const items = replace ? input.split('\n').filter((line) => line.trim()) : [input.split(/\s+/).filter(Boolean)];
  for (const item of items) {
    const words = typeof item === 'string' ? run.words.map((w) => w.split(replace!).join(item)) : [...run.words, ...item];
    scanScript(words.map(quoteWord).join(' '), scan);
  }
}

function resolveCommand(command: SimpleCommand, scan: Scan): Resolved[] {
  for (const body of substitutions(command)) scanScript(body, scan);
  const out = new Map<string, Resolved>();
  for (const mode of ['mark', 'empty'] as Mode[]) {
    const ctx: ExpandContext = { vars: scan.vars, mode, overflow: () => scan.out.incomplete('a command can take more values than the check follows (its variables have many possible values); only the first were checked') };
    const redirects = renderRedirects(command.redirects, ctx);
    const hereString = command.redirects.find((r) => r.op === '<<<');
    const heredoc = command.redirects.find((r) => r.op === '<<');
    const base = { redirects, hereString: hereString ? `${expandWord(hereString.target, ctx)[0]?.join(' ') ?? ''}\n` : null, heredoc: heredoc ? `${heredoc.body ?? ''}\n` : null };
    for (const words of expandWords(command.words, ctx)) {
      const followed = follow(words, mode, scan, 0);
      if (followed.length === 0 && redirects.length) followed.push([]);
      for (const run of followed) out.set([...run, '\0', ...redirects].join('\u0001'), { ...base, words: run });
    }
  }
  return [...out.values()];
}

/** The command(s) a word list runs: itself, and what it runs through wrappers. */
function follow(input: string[], mode: Mode, scan: Scan, depth: number): string[][] {
  let k = 0;
  while (k < input.length && (ASSIGNMENT.test(input[k]!) || RESERVED.has(input[k]!) || input[k] === 'function')) k += input[k] === 'function' ? 2 : 1;
  const words = input.slice(k);
  if (words.length === 0) return [];
  if (depth > MAX_WRAPPERS) {
    scan.out.incomplete(`more than ${MAX_WRAPPERS} wrapper commands (sudo, env, timeout…) in a row`);
    return [words];
  }
  const name = programName(words[0]!);
  const args = words.slice(1);
  const self = [name, ...args];
  const inner = (next: string[]) => follow(next, mode, scan, depth + 1);
  if (CLAUSES.has(name)) return [];
  // `$SUDO rm …`: a command word the check cannot resolve may be a wrapper, so look past it.
  if (UNRESOLVED_WORD.test(name)) return [self, ...inner(args)];
  if (name === 'watch') {
    const run = unwrap(WRAPPERS.watch!, args);
    if (run.kind === 'command') scanScript(run.words.join(' '), scan);
    return [self];
  }
  const wrapper = WRAPPERS[name];
  if (wrapper) {
    const run = unwrap(wrapper, args);
    if (run.kind === 'script') scanScript(run.text, scan);
    if (run.kind === 'shell') return [self, ['sh']];
    if (run.kind !== 'command') return [self];
    const runs = inner(run.words);
    return [self, ...(name === 'xargs' && mode === 'mark' ? runs.map((r) => [...r, '$(xargs)']) : runs)];
  }
  if (SHELLS.has(name)) {
    const script = shellScript(args);
    if (script !== undefined) scanScript(script, scan);
    return [self];
  }
  switch (name) {
    case 'eval':
      scanScript(args.join(' '), scan);
      return [self];
    case 'ssh':
      return [self, ...sshRemote(args, scan)];
    case 'su':
    case 'sg':
      return [self, ...suScript(name === 'sg' ? args.slice(1) : args, scan, name === 'sg')];
    case 'runuser':
      if (args.some((a) => a === '-u' || a.startsWith('--user'))) {
        const run = unwrap({ values: ['-u', '--user', '-g', '--group', '-G', '--supp-group', '-s', '--shell', '-w', '--whitelist-environment'] }, args);
        return [self, ...(run.kind === 'command' ? inner(run.words) : [])];
      }
      return [self, ...suScript(args, scan, false)];
    case 'docker':
    case 'podman':
    case 'nerdctl': {
      const at = args[0] === 'exec' ? 1 : args[0] === 'container' && args[1] === 'exec' ? 2 : -1;
      if (at < 0) return [self];
      const run = unwrap({ values: [...CONTAINER_EXEC_VALUES], positional: 1 }, args.slice(at));
      return [self, ...(run.kind === 'command' ? inner(run.words) : [])];
    }
    case 'kubectl':
    case 'oc': {
      const dash = args.indexOf('--');
      return [self, ...(args.includes('exec') && dash >= 0 ? inner(args.slice(dash + 1)) : [])];
    }
    case 'find':
      return [self, ...findExec(args).flatMap(inner)];
    case 'trap':
      if (args[0] !== undefined && !args[0].startsWith('-')) scanScript(args[0], scan);
      return [self];
    case 'alias':
      for (const arg of args) if (arg.includes('=')) scanScript(arg.slice(arg.indexOf('=') + 1), scan);
      return [self];
    default:
      return [self];
  }
}

/** `sh -c SCRIPT`: the first operand after the options, when an option bundle holds `c`. */
function shellScript(args: string[]): string | undefined {
  const { c, k } = shellOptions(args);
  return c ? args[k] : undefined;
}

/** A shell that reads its script from stdin: no `-c` and no script file, or `-s`, `-` or /dev/stdin. */
function readsStdinScript(words: string[]): boolean {
  if (!SHELLS.has(words[0] ?? '')) return false;
  const args = words.slice(1);
  const { c, s, k } = shellOptions(args);
  return !c && (s || k >= args.length || args[k - 1] === '-' || args[k] === '/dev/stdin');
}

function shellOptions(args: string[]): { c: boolean; s: boolean; k: number } {
  let c = false;
  let s = false;
  let k = 0;
  while (k < args.length) {
    const arg = args[k]!;
    if (arg === '--' || arg === '-') {
      k++;
      break;
    }
    if (!/^[-+]./.test(arg)) break;
    if (arg.startsWith('--')) k += ['--rcfile', '--init-file'].includes(arg) ? 2 : 1;
    else if (/^[-+][oO]$/.test(arg)) k += 2;
    else {
      c ||= arg.slice(1).includes('c');
      s ||= arg.slice(1).includes('s');
      k++;
    }
  }
  return { c, s, k };
}

/** `ssh [options] host [command…]`: the command line runs in the remote shell; without one, the remote shell reads stdin. */
function sshRemote(args: string[], scan: Scan): string[][] {
  let k = 0;
  while (k < args.length && args[k]!.startsWith('-') && args[k] !== '--') k += SSH_VALUES.has(args[k]!) ? 2 : 1;
  if (args[k] === '--') k++;
  const remote = args.slice(k + 1);
  if (remote.length === 0) return [['sh']];
  scanScript(remote.join(' '), scan);
  return [];
}

/** `su [options] [-] [user] -c SCRIPT`; without `-c` it opens a shell reading stdin. `sg group command-line` runs its line too. */
function suScript(args: string[], scan: Scan, sg: boolean): string[][] {
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (SU_SCRIPTS.has(name) || (/^-[a-zA-Z]*c$/.test(arg) && !arg.startsWith('--'))) {
      const script = inline ?? args[k + 1];
      if (script !== undefined) scanScript(script, scan);
      return [];
    }
    if (SU_VALUES.has(name) && inline === undefined) k++;
  }
  if (sg && args.length) {
    scanScript(args.join(' '), scan);
    return [];
  }
  return [['sh']];
}

/** The commands of `find … -exec cmd args {} ;` (and -execdir, -ok, -okdir). */
function findExec(args: string[]): string[][] {
  const runs: string[][] = [];
  for (let k = 0; k < args.length; k++) {
    if (!['-exec', '-execdir', '-ok', '-okdir'].includes(args[k]!)) continue;
    const end = args.findIndex((a, j) => j > k && (a === ';' || a === '+'));
    runs.push(args.slice(k + 1, end < 0 ? undefined : end));
    k = end < 0 ? args.length : end;
  }
  return runs.filter((run) => run.length);
}

function renderRedirects(redirects: Redirect[], ctx: ExpandContext): string[] {
  const out: string[] = [];
  for (const redirect of redirects) {
    if (redirect.op === 'dup' || redirect.op === '<<' || redirect.op === '<<<') continue;
    for (const fields of expandWord(redirect.target, ctx)) out.push(`${redirect.op}${normalizeArg(fields.join(' '))}`);
  }
  return unique(out);
}

/** The form itself, and one per top-level directory (or disk) a glob argument can name. */
function render(resolved: Resolved): string[] {
  if (resolved.words.length === 0) return resolved.redirects.length ? [resolved.redirects.join(' ')] : [];
  const tokens = [resolved.words[0]!, ...resolved.words.slice(1).map(normalizeArg), ...resolved.redirects].map(shown);
  const forms = [tokens.join(' ')];
  tokens.forEach((token, i) => {
    if (i > 0) for (const match of globMatches(token)) forms.push([...tokens.slice(0, i), match, ...tokens.slice(i + 1)].join(' '));
  });
  return forms;
}

/** An empty argument shows as '' and whitespace inside an argument as one space, so forms stay one line. */
function shown(token: string): string {
  return token === '' ? "''" : token.replace(/\s+/g, ' ');
}

/** The text inside every `$(…)`, backtick and `<(…)` of a command, arguments and redirect targets alike. */
function substitutions(command: SimpleCommand): string[] {
  const bodies: string[] = [];
  const walk = (parts: Part[]) => {
    for (const part of parts) {
      if (part.kind === 'subst' && part.form !== '$((') bodies.push(part.body);
      else if (part.kind === 'param' && part.arg) walk(part.arg);
      else if (part.kind === 'array') part.words.forEach(walk);
    }
  };
  [...command.words, ...command.redirects.map((r) => r.target)].forEach((word: Word) => walk(word));
  return bodies;
}

/** A word as script text that reads back as itself. */
function quoteWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

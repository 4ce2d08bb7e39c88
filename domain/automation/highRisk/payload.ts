/**
 * The text a pipeline of plain text commands prints, when the script itself holds it:
 * `echo`, `printf`, `cat` of its stdin, `base64 -d`, `xxd -r -p` and `rev`. This is how
 * `echo cm0gLXJmIC8= | base64 -d | sh` is read as `rm -rf /`. Anything else, or a
 * decoder given what is not its format, is unknown (null): the check never guesses text.
 */

export interface TextCommand {
  words: string[];
  /** A here-string or here-document given to the command, when the script holds it. */
  stdin: string | null;
}

/** A command that turns encoded text into text (its output is checked as a script wherever it goes). */
export function isDecoder(words: string[]): boolean {
  const [name, ...args] = words;
  if (name === 'base64' || name === 'basenc') return args.some((a) => a === '--decode' || /^-[a-zA-Z]*[dD]/.test(a));
  if (name === 'xxd') return args.some((a) => /^-[a-z]*r/.test(a)) && args.some((a) => /^-[a-z]*p/.test(a) || a === '-ps' || a === '-plain');
  return false;
}

/** What the commands print one into the next, or null when any of them is not known. */
export function pipelineOutput(commands: TextCommand[]): string | null {
  let text: string | null = null;
  for (const command of commands) {
    text = runText(command.words, command.stdin ?? text);
    if (text === null) return null;
  }
  return text;
}

export function runText(words: string[], input: string | null): string | null {
  const [name, ...args] = words;
  switch (name) {
    case 'echo':
      return echo(args);
    case 'printf':
      return args.length ? printf(args[0]!, args.slice(1)) : null;
    case 'cat':
      return args.length === 0 || (args.length === 1 && args[0] === '-') ? input : null;
    case 'rev':
      return input === null || args.length ? null : input.split('\n').map((line) => [...line].reverse().join('')).join('\n');
    case 'base64':
    case 'basenc':
      return input !== null && isDecoder(words) && args.every((a) => a.startsWith('-')) ? base64(input) : null;
    case 'xxd':
      return input !== null && isDecoder(words) && args.every((a) => a.startsWith('-')) ? hex(input) : null;
    default:
      return null;
  }
}

function echo(args: string[]): string {
  let escapes = true; // dash's echo, which is /bin/sh on Debian and Ubuntu, reads escapes unasked
  let newline = true;
  let k = 0;
  for (; k < args.length && /^-[neE]+$/.test(args[k]!); k++) {
    if (args[k]!.includes('n')) newline = false;
    if (args[k]!.includes('E')) escapes = false;
  }
  const text = args.slice(k).join(' ');
  return (escapes ? unescape(text) : text) + (newline ? '\n' : '');
}

/** printf with %s and %b filled in order; other conversions take their argument as it is. */
function printf(format: string, args: string[]): string {
  let next = 0;
  return unescape(format).replace(/%(%|[-+ #0-9.]*[a-zA-Z])/g, (_directive, kind: string) => {
    if (kind === '%') return '%';
    const arg = args[next++] ?? '';
    return kind.endsWith('b') ? unescape(arg) : arg;
  });
}

/** Backslash escapes as echo -e and printf read them: \n \t \\ \xHH \0NNN \NNN. */
export function unescape(text: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v', '\\': '\\' };
  return text.replace(/\\(x[0-9a-fA-F]{1,2}|0?[0-7]{1,3}|.)/gs, (whole, code: string) => {
    if (code[0] === 'x') return String.fromCharCode(parseInt(code.slice(1), 16));
    if (/^[0-7]/.test(code)) return String.fromCharCode(parseInt(code, 8) & 0xff);
    return simple[code] ?? whole;
  });
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(input: string): string | null {
  const clean = input.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) return null;
  let bits = 0;
  let value = 0;
  let out = '';
  for (const c of clean) {
    value = (value << 6) | BASE64.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((value >> bits) & 0xff);
    }
  }
  return utf8(out);
}

function hex(input: string): string | null {
  const clean = input.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) return null;
  return utf8(clean.replace(/../g, (pair) => String.fromCharCode(parseInt(pair, 16))));
}

/** Bytes (one per character) read as UTF-8 where they are; commands are ASCII either way. */
function utf8(bytes: string): string {
  try {
    return decodeURIComponent(bytes.replace(/[\s\S]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  } catch {
    return bytes;
  }
}

/**
 * A call of a built-in function, checked while parsing: the function exists, the number of
 * arguments fits, named arguments (`contains(string: x, match: "y")`) are FEEL's parameter
 * names and are put in parameter order, and a pattern written as a literal compiles. So a
 * typo fails when the runbook is published, not when it runs.
 */

import { type Node } from './ast';
import { BUILTINS, type Builtin } from './builtins';
import { type TokenCursor } from './cursor';
import { compilePattern, PatternError } from './pattern';

/** The cursor, plus the way back into the grammar for each argument. */
export interface CallParser extends TokenCursor {
  expression(): Node;
}

export function parseCall(p: CallParser, name: string, at: number): Node {
  const builtin = BUILTINS[name]!;
  p.skip(name.split(' ').length);
  const open = p.next();
  const positional: Node[] = [];
  const named = new Map<string, Node>();
  while (!p.isSymbol(p.peek(), ')')) {
    if (positional.length + named.size > 0) p.expect(',', "',' or ')'", `the arguments of ${name}() at ${p.column(open.start)} are not closed`);
    const parameter = parameterName(p);
    if (parameter) {
      if (positional.length > 0) p.fail(parameter.at, 'an argument by name cannot follow arguments by position', `name every argument of ${name}(), or none`);
      if (!builtin.params.includes(parameter.name)) p.fail(parameter.at, `${name}() has no parameter '${parameter.name}'`, `its parameters are ${builtin.params.join(', ')}`);
      if (named.has(parameter.name)) p.fail(parameter.at, `the argument '${parameter.name}' is given twice`);
      named.set(parameter.name, p.expression());
    } else {
      if (named.size > 0) p.fail(p.peek().start, 'an argument by position cannot follow arguments by name', `name every argument of ${name}(), or none`);
      positional.push(p.expression());
    }
  }
  p.next();
  const args = named.size > 0 ? byPosition(p, name, builtin, named, at) : positional;
  if (args.length < builtin.required || args.length > builtin.params.length) {
    const counts = builtin.required === builtin.params.length ? `${builtin.required}` : `${builtin.required} to ${builtin.params.length}`;
    const noun = builtin.params.length === 1 ? 'argument' : 'arguments';
    p.fail(at, `${name}() takes ${counts} ${noun} (${builtin.params.join(', ')})`, `got ${args.length}`);
  }
  if (name === 'matches') checkPattern(p, args);
  return { kind: 'call', at, name, args };
}

/** `start position:` — a parameter name (maybe of several words) and its colon, consumed; or null. */
function parameterName(p: TokenCursor): { name: string; at: number } | null {
  const words: string[] = [];
  for (let t = p.peek(words.length); t.kind === 'name' && !t.quoted; t = p.peek(words.length)) words.push(t.value);
  if (words.length === 0 || !p.isSymbol(p.peek(words.length), ':')) return null;
  const at = p.peek().start;
  p.skip(words.length + 1);
  return { name: words.join(' '), at };
}

/** Named arguments in parameter order; an optional one left out before a given one is null. */
function byPosition(p: TokenCursor, name: string, builtin: Builtin, named: Map<string, Node>, at: number): Node[] {
  const last = Math.max(...[...named.keys()].map((key) => builtin.params.indexOf(key)));
  return builtin.params.slice(0, Math.max(last + 1, builtin.required)).map((param, i) => {
    const arg = named.get(param);
    if (arg) return arg;
    if (i < builtin.required) p.fail(at, `${name}() needs the argument '${param}'`);
    return { kind: 'literal', at, value: null };
  });
}

/** A pattern written as a literal is compiled now, so its mistakes point at it. */
function checkPattern(p: TokenCursor, args: Node[]): void {
  const [, pattern, flags] = args;
  if (pattern?.kind !== 'literal' || typeof pattern.value !== 'string') return;
  const flagText = flags?.kind === 'literal' && typeof flags.value === 'string' ? flags.value : '';
  try {
    compilePattern(pattern.value, flagText);
  } catch (error) {
    if (error instanceof PatternError) p.fail(pattern.at, 'this pattern cannot be used', error.message);
    throw error;
  }
}

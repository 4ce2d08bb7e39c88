/**
 * Regular expressions for `matches()`, run by our own matcher instead of `RegExp`: the
 * pattern (patternSyntax.ts) becomes a Thompson NFA that is simulated breadth-first (as RE2
 * does), so the time is at most input length × pattern size whatever the pattern — `(a+)+$`
 * cannot backtrack catastrophically because nothing backtracks. The price is the features
 * that need backtracking: backreferences and lookaround are refused, with the reason.
 */

import { count, LIMITS } from './limits';
import { type Assertion, type CharTest, type Flags, isLineBreak, isWordForBoundary, parseFlags, PatternError, PatternParser, type Re } from './patternSyntax';

export { PatternError } from './patternSyntax';

export interface Pattern {
  /** Whether the pattern matches anywhere in `input`; `charge` is told the matcher's steps as they are taken. */
  test(input: string, charge: (steps: number) => void): boolean;
}

type Instruction =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; x: number; y: number }
  | { op: 'jump'; x: number }
  | { op: 'assert'; kind: Assertion }
  | { op: 'match' };

export function compilePattern(pattern: string, flags = ''): Pattern {
  if (pattern.length > LIMITS.patternLength) {
    throw new PatternError(`the pattern has ${count(pattern.length)} characters; the limit is ${count(LIMITS.patternLength)}`);
  }
  const parsed = parseFlags(flags);
  const program = emit(new PatternParser(pattern, parsed).parse());
  return { test: (input, charge) => run(program, parsed, input, charge) };
}

/** The NFA as a program: `split` forks, `jump` continues elsewhere, `char` consumes one code point. */
function emit(re: Re): Instruction[] {
  const program: Instruction[] = [];
  const push = (instruction: Instruction): number => {
    if (program.length >= LIMITS.patternSize) {
      throw new PatternError(`the pattern is too large once its repetitions are expanded (more than ${count(LIMITS.patternSize)} steps): repeat smaller groups or fewer times`);
    }
    return program.push(instruction) - 1;
  };
  const walk = (node: Re): void => {
    switch (node.t) {
      case 'char':
        push({ op: 'char', test: node.test });
        return;
      case 'assert':
        push({ op: 'assert', kind: node.kind });
        return;
      case 'cat':
        node.items.forEach(walk);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.options.forEach((option, i) => {
          const last = i === node.options.length - 1;
          const split = last ? -1 : push({ op: 'split', x: 0, y: 0 });
          walk(option);
          if (!last) {
            jumps.push(push({ op: 'jump', x: 0 }));
            program[split] = { op: 'split', x: split + 1, y: program.length };
          }
        });
        for (const jump of jumps) program[jump] = { op: 'jump', x: program.length };
        return;
      }
      case 'repeat': {
        for (let i = 0; i < node.min; i++) walk(node.body);
        if (node.max === Infinity) {
          const loop = push({ op: 'split', x: 0, y: 0 });
          walk(node.body);
          push({ op: 'jump', x: loop });
          program[loop] = { op: 'split', x: loop + 1, y: program.length };
          return;
        }
        const splits: number[] = [];
        for (let i = node.min; i < node.max; i++) {
          splits.push(push({ op: 'split', x: 0, y: 0 }));
          walk(node.body);
        }
        for (const split of splits) program[split] = { op: 'split', x: split + 1, y: program.length };
        return;
      }
    }
  };
  walk(re);
  push({ op: 'match' });
  return program;
}

/** Breadth-first simulation: every live thread advances one code point at a time; a thread starts at every position. */
function run(program: Instruction[], flags: Flags, input: string, charge: (steps: number) => void): boolean {
  const cps = Array.from(input, (c) => c.codePointAt(0)!);
  const seen = new Int32Array(program.length).fill(-1);
  let matched = false;
  /** Steps are paid in batches: a call per step would cost more than the step. */
  let unpaid = 0;
  const pay = () => {
    charge(unpaid);
    unpaid = 0;
  };

  const holds = (kind: Assertion, pos: number): boolean => {
    const before = cps[pos - 1];
    const at = cps[pos];
    switch (kind) {
      case 'start':
        return pos === 0 || (flags.multiline && pos < cps.length && isLineBreak(before!) && !(before === 0x0d && at === 0x0a));
      case 'end':
        if (pos === cps.length) return true;
        if (flags.multiline) return isLineBreak(at!) && !(at === 0x0a && before === 0x0d);
        return (cps.length - pos === 1 && isLineBreak(at!)) || (cps.length - pos === 2 && at === 0x0d && cps[pos + 1] === 0x0a);
      case 'word':
      case 'not-word':
        return (isWordForBoundary(before) !== isWordForBoundary(at)) === (kind === 'word');
    }
  };

  /** Adds the threads reachable from `start` without consuming input; `seen` keeps one per instruction and position. */
  const follow = (start: number, pos: number, into: number[]): void => {
    const stack = [start];
    while (stack.length > 0 && !matched) {
      const pc = stack.pop()!;
      if (seen[pc] === pos) continue;
      seen[pc] = pos;
      if (++unpaid === 1024) pay();
      const instruction = program[pc]!;
      switch (instruction.op) {
        case 'char':
          into.push(pc);
          break;
        case 'jump':
          stack.push(instruction.x);
          break;
        case 'split':
          stack.push(instruction.y, instruction.x);
          break;
        case 'assert':
          if (holds(instruction.kind, pos)) stack.push(pc + 1);
          break;
        case 'match':
          matched = true;
          break;
      }
    }
  };

  let threads: number[] = [];
  follow(0, 0, threads);
  for (let pos = 0; !matched && pos < cps.length; pos++) {
    const cp = cps[pos]!;
    const next: number[] = [];
    for (const pc of threads) {
      if (++unpaid === 1024) pay();
      if ((program[pc] as { test: CharTest }).test(cp)) follow(pc + 1, pos + 1, next);
      if (matched) break;
    }
    follow(0, pos + 1, next);
    threads = next;
  }
  pay();
  return matched;
}

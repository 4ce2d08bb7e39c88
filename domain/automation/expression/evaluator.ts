/**
 * The tree to a value, with FEEL's semantics: a missing name or path is null; operators on
 * values they do not apply to give null instead of failing (`1 < "a"`, `"a" - 1`, `x / 0`);
 * `and`/`or` are three-valued and stop early (`false and x` does not evaluate x); `if` takes
 * the else branch unless its condition is exactly `true`.
 *
 * Numbers are JavaScript doubles, which FEEL's decimals are not: each arithmetic result is
 * rounded to 15 significant digits, so decimal arithmetic reads as written (`0.1 + 0.2 = 0.3`
 * is true, as in Camunda); integers are exact up to 2^53.
 *
 * Errors (an `ExpressionError`) are only for what no data can make right: a limit exceeded,
 * or a pattern that cannot be used.
 */

import { type Expression, type Node, type UnaryTest } from './ast';
import { BUILTINS, type Call } from './builtins';
import { expressionError } from './error';
import { Budget, count, LIMITS } from './limits';
import { compilePattern, type Pattern, PatternError } from './pattern';
import { type Context, entry, equal, isContext, isList, kindOf, order, read, setEntry, type Traversal } from './values';

/** Names visible to a node: a context's own entries, then the enclosing scope's. */
interface Scope {
  readonly names: object;
  readonly parent?: Scope;
}

export function evaluateTree(expression: Expression, context: object): unknown {
  return read(new Evaluation(expression.source).value(expression.root, { names: context }));
}

function lookup(scope: Scope, name: string): unknown {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    if (Object.prototype.hasOwnProperty.call(s.names, name)) return read((s.names as Context)[name]);
  }
  return null;
}

/** An arithmetic result as FEEL keeps it: finite, no negative zero, 15 significant digits. */
function tidy(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  if (n === 0) return 0;
  return Number.isInteger(n) ? n : Number(n.toPrecision(15));
}

/** FEEL list positions: 1 is the first item, -1 the last; anything else outside is null. */
function itemAt(list: readonly unknown[], index: number): unknown {
  if (!Number.isInteger(index) || index === 0) return null;
  const i = index > 0 ? index - 1 : list.length + index;
  return i >= 0 && i < list.length ? read(list[i]) : null;
}

/** Filters of these kinds are conditions on each item; others may be an index (`list[2]`, `list[n]`). */
const CONDITION_KINDS = new Set<Node['kind']>(['comparison', 'between', 'in', 'and', 'or', 'call']);

class Evaluation implements Traversal {
  /** Offset of the node being evaluated, for errors. */
  private at = 0;
  private depth = 0;
  private readonly budget = new Budget(() =>
    this.fail(`the expression needs more than ${count(LIMITS.steps)} steps`, 'it does too much work for an expression; filter less data, or move the work into a script step'),
  );
  private readonly patterns = new Map<string, Pattern>();
  private readonly call: Call = { work: this, pattern: (pattern, flags) => this.pattern(pattern, flags) };

  constructor(private readonly source: string) {}

  charge(steps = 1): void {
    this.budget.charge(steps);
  }

  fail(what: string, hint?: string): never {
    throw expressionError(this.source, this.at, what, hint);
  }

  value(node: Node, scope: Scope): unknown {
    this.at = node.at;
    this.charge();
    if (++this.depth > LIMITS.depth) this.fail(`the expression nests more than ${LIMITS.depth} levels deep`);
    try {
      return this.evaluate(node, scope);
    } finally {
      this.depth--;
    }
  }

  private evaluate(node: Node, scope: Scope): unknown {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'name':
        return lookup(scope, node.name);
      case 'path':
        return this.path(this.value(node.base, scope), node.key);
      case 'filter':
        return this.filter(node.base, node.filter, scope);
      case 'list':
        return node.items.map((item) => this.value(item, scope));
      case 'context': {
        const context: Record<string, unknown> = {};
        const inner: Scope = { names: context, parent: scope };
        for (const e of node.entries) setEntry(context, e.key, this.value(e.value, inner));
        return context;
      }
      case 'call': {
        const args = node.args.map((arg) => this.value(arg, scope));
        this.at = node.at;
        return read(BUILTINS[node.name]!.invoke(args, this.call));
      }
      case 'negate': {
        const x = this.value(node.operand, scope);
        return kindOf(x) === 'number' ? tidy(-(x as number)) : null;
      }
      case 'arithmetic':
        return this.arithmetic(node.operator, this.value(node.left, scope), this.value(node.right, scope), node.at);
      case 'comparison': {
        const left = this.value(node.left, scope);
        const right = this.value(node.right, scope);
        this.at = node.at;
        if (node.operator === '=' || node.operator === '!=') {
          const same = equal(left, right, this);
          return same === null || node.operator === '=' ? same : !same;
        }
        return this.ordered(node.operator, left, right);
      }
      case 'between': {
        const x = this.value(node.value, scope);
        return all([this.ordered('>=', x, this.value(node.low, scope)), this.ordered('<=', x, this.value(node.high, scope))]);
      }
      case 'in': {
        const x = this.value(node.value, scope);
        return anyOf(node.tests.map((test) => () => this.test(x, test, scope)));
      }
      case 'and':
        return allOf(node.operands.map((operand) => () => this.value(operand, scope)));
      case 'or':
        return anyOf(node.operands.map((operand) => () => this.value(operand, scope)));
      case 'if':
        return this.value(node.condition, scope) === true ? this.value(node.then, scope) : this.value(node.else, scope);
    }
  }

  /** `a.b`: a context's entry; over a list, the entry of every item (FEEL's projection). */
  private path(base: unknown, key: string): unknown {
    if (isContext(base)) return entry(base, key);
    if (!isList(base)) return null;
    this.charge(base.length);
    return base.map((item) => (isContext(item) ? entry(item, key) : null));
  }

  /** `list[…]`: an index, or the items for which the filter is true; inside, `item` and the item's entries are names. */
  private filter(baseNode: Node, filterNode: Node, scope: Scope): unknown {
    const base = this.value(baseNode, scope);
    if (!isList(base)) return null;
    const literal = filterNode.kind === 'negate' ? filterNode.operand : filterNode;
    if (literal.kind === 'literal' && typeof literal.value === 'number') return itemAt(base, literal === filterNode ? literal.value : -literal.value);
    if (!CONDITION_KINDS.has(filterNode.kind)) {
      const index = this.value(filterNode, scope);
      if (kindOf(index) === 'number') return itemAt(base, index as number);
    }
    return base.filter((raw) => {
      const item = read(raw);
      const withItem: Scope = { names: { item }, parent: scope };
      return this.value(filterNode, isContext(item) ? { names: item, parent: withItem } : withItem) === true;
    });
  }

  private arithmetic(operator: string, left: unknown, right: unknown, at: number): unknown {
    if (operator === '+' && typeof left === 'string' && typeof right === 'string') {
      if (left.length + right.length > LIMITS.stringLength) {
        this.at = at;
        this.fail(`'+' would build a string of more than ${count(LIMITS.stringLength)} characters`);
      }
      return left + right;
    }
    if (kindOf(left) !== 'number' || kindOf(right) !== 'number') return null;
    const [x, y] = [left as number, right as number];
    switch (operator) {
      case '+':
        return tidy(x + y);
      case '-':
        return tidy(x - y);
      case '*':
        return tidy(x * y);
      case '/':
        return y === 0 ? null : tidy(x / y);
      default:
        return tidy(x ** y);
    }
  }

  private ordered(operator: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean | null {
    const o = order(left, right);
    if (o === null) return null;
    return operator === '<' ? o < 0 : operator === '<=' ? o <= 0 : operator === '>' ? o > 0 : o >= 0;
  }

  private test(x: unknown, test: UnaryTest, scope: Scope): boolean | null {
    switch (test.kind) {
      case 'compare-to':
        return this.ordered(test.operator, x, this.value(test.operand, scope));
      case 'range':
        return all([
          this.ordered(test.startIncluded ? '>=' : '>', x, this.value(test.start, scope)),
          this.ordered(test.endIncluded ? '<=' : '<', x, this.value(test.end, scope)),
        ]);
      case 'equal-to': {
        const operand = this.value(test.operand, scope);
        if (isList(operand)) return operand.some((item) => equal(x, item, this) === true) || equal(x, operand, this) === true;
        return equal(x, operand, this);
      }
    }
  }

  /** A pattern compiled once per evaluation, however many items a filter runs it on. */
  private pattern(pattern: string, flags: string): Pattern {
    const key = `${flags}/${pattern}`;
    let compiled = this.patterns.get(key);
    if (!compiled) {
      try {
        compiled = compilePattern(pattern, flags);
      } catch (error) {
        if (error instanceof PatternError) this.fail('this pattern cannot be used', error.message);
        throw error;
      }
      this.patterns.set(key, compiled);
    }
    return compiled;
  }
}

/** FEEL `and`: false if any is false (the rest are not evaluated), true if all are true, else null. */
function allOf(operands: (() => unknown)[]): boolean | null {
  let unknown = false;
  for (const operand of operands) {
    const x = operand();
    if (x === false) return false;
    if (x !== true) unknown = true;
  }
  return unknown ? null : true;
}

/** FEEL `or`: true if any is true (the rest are not evaluated), false if all are false, else null. */
function anyOf(operands: (() => unknown)[]): boolean | null {
  let unknown = false;
  for (const operand of operands) {
    const x = operand();
    if (x === true) return true;
    if (x !== false) unknown = true;
  }
  return unknown ? null : false;
}

function all(values: (boolean | null)[]): boolean | null {
  return allOf(values.map((x) => () => x));
}

/**
 * Tokens to the tree, by recursive descent with FEEL's (Camunda's) precedence, loosest first:
 * `if`; `or`; `and`; one comparison (`=` `!=` `<` `<=` `>` `>=`, `between … and …`, `in …`);
 * `+ -`; `* /`; `**`; unary `-`; then a value with its `.key` and `[filter]` suffixes.
 * Comparisons do not chain (`a < b < c` is an error), as in FEEL.
 *
 * A function name may be several words (`starts with(`): at a word, the longest built-in name
 * whose words follow, then `(`, is a call (checked in calls.ts).
 */

import { type ComparisonOperator, type Node, type UnaryTest, childrenOf } from './ast';
import { BUILTIN_NAMES, BUILTINS } from './builtins';
import { parseCall } from './calls';
import { TokenCursor } from './cursor';
import { expressionError } from './error';
import { LIMITS } from './limits';
import { type Token } from './tokenizer';

/** Words that cannot be names; write `` `in` `` in backticks to use one as a name. */
export const RESERVED = new Set(['null', 'true', 'false', 'and', 'or', 'if', 'then', 'else', 'in', 'between', 'for', 'return', 'some', 'every', 'satisfies', 'function']);

const UNSUPPORTED: Readonly<Record<string, string>> = {
  for: "'for' loops are not supported yet",
  some: "'some … satisfies' is not supported yet",
  every: "'every … satisfies' is not supported yet",
  function: 'function definitions are not supported',
  instance: "'instance of' is not supported yet",
};

const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);

export function parse(source: string): Node {
  if (source.length > LIMITS.expressionLength) {
    throw expressionError(source, LIMITS.expressionLength, `the expression is longer than ${LIMITS.expressionLength} characters`, 'move the logic into a script step and test its result');
  }
  const parser = new Parser(source);
  const root = parser.parse();
  parser.checkDepth(root);
  return root;
}

class Parser extends TokenCursor {
  private nesting = 0;
  /** Off while reading a range's end, where `[` closes the range (`[1..10[`) instead of starting a filter. */
  private filterAllowed = true;

  parse(): Node {
    if (this.peek().kind === 'end') this.fail(0, 'the expression is empty');
    const root = this.expression();
    if (this.peek().kind !== 'end') this.unexpected();
    return root;
  }

  /** The tree's depth, counted after parsing so long operator chains count too. */
  checkDepth(root: Node): void {
    const stack: [Node, number][] = [[root, 1]];
    while (stack.length > 0) {
      const [node, depth] = stack.pop()!;
      if (depth > LIMITS.depth) this.tooDeep(node.at);
      for (const child of childrenOf(node)) stack.push([child, depth + 1]);
    }
  }

  // ---- expressions, loosest first

  expression(): Node {
    const start = this.peek();
    if (++this.nesting > LIMITS.depth) this.tooDeep(start.start);
    const filterAllowed = this.filterAllowed;
    this.filterAllowed = true;
    const node = this.isKeyword(start, 'if') ? this.conditional() : this.disjunction();
    this.filterAllowed = filterAllowed;
    this.nesting--;
    return node;
  }

  private conditional(): Node {
    const at = this.next().start;
    const condition = this.expression();
    this.expectKeyword('then', `after the condition of the 'if' at ${this.column(at)}`);
    const then = this.expression();
    this.expectKeyword('else', `the 'if' at ${this.column(at)} needs both branches: if c then a else b`);
    return { kind: 'if', at, condition, then, else: this.expression() };
  }

  private disjunction(): Node {
    const operands = [this.conjunction()];
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      operands.push(this.conjunction());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', at: operands[0]!.at, operands };
  }

  private conjunction(): Node {
    const operands = [this.comparison()];
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      operands.push(this.comparison());
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', at: operands[0]!.at, operands };
  }

  private comparison(): Node {
    const left = this.additive();
    const token = this.peek();
    let node: Node;
    if (token.kind === 'symbol' && COMPARISONS.has(token.value)) {
      this.next();
      node = { kind: 'comparison', at: token.start, operator: token.value as ComparisonOperator, left, right: this.additive() };
    } else if (this.isKeyword(token, 'between')) {
      this.next();
      const low = this.additive();
      this.expectKeyword('and', `the 'between' at ${this.column(token.start)} is written x between a and b`);
      node = { kind: 'between', at: token.start, value: left, low, high: this.additive() };
    } else if (this.isKeyword(token, 'in')) {
      this.next();
      node = { kind: 'in', at: token.start, value: left, tests: this.unaryTests() };
    } else if (this.isKeyword(token, 'instance') && this.isKeyword(this.peek(1), 'of')) {
      return this.fail(token.start, UNSUPPORTED.instance!);
    } else {
      return left;
    }
    const after = this.peek();
    if ((after.kind === 'symbol' && COMPARISONS.has(after.value)) || this.isKeyword(after, 'between') || this.isKeyword(after, 'in')) {
      this.fail(after.start, 'comparisons cannot be chained', "write 'a < b and b < c'");
    }
    return node;
  }

  private additive(): Node {
    let left = this.multiplicative();
    for (let token = this.peek(); this.isSymbol(token, '+', '-'); token = this.peek()) {
      this.next();
      left = { kind: 'arithmetic', at: token.start, operator: this.text(token) as '+' | '-', left, right: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): Node {
    let left = this.power();
    for (let token = this.peek(); this.isSymbol(token, '*', '/'); token = this.peek()) {
      this.next();
      left = { kind: 'arithmetic', at: token.start, operator: this.text(token) as '*' | '/', left, right: this.power() };
    }
    return left;
  }

  /** `**` groups from the left and binds looser than unary minus, as in Camunda (`-2 ** 2` is 4). */
  private power(): Node {
    let left = this.unary();
    for (let token = this.peek(); this.isSymbol(token, '**'); token = this.peek()) {
      this.next();
      left = { kind: 'arithmetic', at: token.start, operator: '**', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    const token = this.peek();
    if (!this.isSymbol(token, '-')) return this.postfix();
    this.next();
    return { kind: 'negate', at: token.start, operand: this.postfix() };
  }

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      const token = this.peek();
      if (this.isSymbol(token, '.')) {
        this.next();
        const key = this.next();
        if (key.kind !== 'name') this.fail(key.start, "expected a name after '.'", this.found(key));
        node = { kind: 'path', at: key.start, base: node, key: key.value };
      } else if (this.isSymbol(token, '[') && this.filterAllowed) {
        this.next();
        const filter = this.expression();
        this.expect(']', "']'", `the '[' at ${this.column(token.start)} is not closed`);
        node = { kind: 'filter', at: token.start, base: node, filter };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const token = this.peek();
    switch (token.kind) {
      case 'number':
      case 'string':
        this.next();
        return { kind: 'literal', at: token.start, value: token.value };
      case 'name':
        return this.word(token);
      case 'symbol':
        if (token.value === '(') return this.parenthesized();
        if (token.value === '[') return this.list(this.next());
        if (token.value === '{') return this.context();
        return this.expectedValue(token);
      case 'end':
        return this.expectedValue(token);
    }
  }

  /** A word: a literal, a function call (maybe of several words), a keyword out of place, or a name. */
  private word(token: Token & { kind: 'name' }): Node {
    if (token.quoted) {
      this.next();
      return { kind: 'name', at: token.start, name: token.value };
    }
    if (token.value === 'true' || token.value === 'false' || token.value === 'null') {
      this.next();
      return { kind: 'literal', at: token.start, value: token.value === 'null' ? null : token.value === 'true' };
    }
    const call = BUILTIN_NAMES.find((name) => this.wordsAhead(name.split(' ')));
    if (call) return parseCall(this, call, token.start);
    const words: string[] = [];
    for (let t = this.peek(words.length); t.kind === 'name' && !t.quoted && !RESERVED.has(t.value) && words.length < 4; t = this.peek(words.length)) words.push(t.value);
    if (words.length > 0 && this.isSymbol(this.peek(words.length), '(')) {
      this.fail(token.start, `unknown function '${words.join(' ')}'`, `the functions are ${Object.keys(BUILTINS).join(', ')}`);
    }
    if (token.value === 'not') this.fail(token.start, "'not' is a function in FEEL", 'write not(x)');
    if (RESERVED.has(token.value) && UNSUPPORTED[token.value]) this.fail(token.start, UNSUPPORTED[token.value]!);
    if (RESERVED.has(token.value)) this.expectedValue(token);
    this.next();
    return { kind: 'name', at: token.start, name: token.value };
  }

  /** Whether the next tokens are exactly these unquoted words followed by `(`. */
  private wordsAhead(words: string[]): boolean {
    return words.every((word, i) => this.isKeyword(this.peek(i), word)) && this.isSymbol(this.peek(words.length), '(');
  }

  private parenthesized(): Node {
    const open = this.next();
    const inner = this.expression();
    if (this.isSymbol(this.peek(), '..')) this.fail(this.peek().start, "a range can only follow 'in'", 'write x in (1..10)');
    this.expect(')', "')'", `the '(' at ${this.column(open.start)} is not closed`);
    return inner;
  }

  /** The rest of a list after its `[` (and maybe its first item, read by the caller). */
  private list(open: Token, first?: Node): Node {
    const items: Node[] = first ? [first] : [];
    if (!first && this.isSymbol(this.peek(), ']')) {
      this.next();
      return { kind: 'list', at: open.start, items };
    }
    if (!first) items.push(this.expression());
    for (;;) {
      const token = this.peek();
      if (this.isSymbol(token, ']')) break;
      if (this.isSymbol(token, '..')) this.fail(token.start, "a range can only follow 'in'", 'write x in [1..10]');
      this.expect(',', "',' or ']'", `the list at ${this.column(open.start)} is not closed`);
      items.push(this.expression());
    }
    this.next();
    return { kind: 'list', at: open.start, items };
  }

  private context(): Node {
    const open = this.next();
    const entries: { key: string; value: Node }[] = [];
    while (!this.isSymbol(this.peek(), '}')) {
      if (entries.length > 0) this.expect(',', "',' or '}'", `the context at ${this.column(open.start)} is not closed`);
      const key = this.next();
      if (key.kind !== 'name' && key.kind !== 'string') this.fail(key.start, 'expected a key (a name or a "quoted key")', this.found(key));
      const name = key.value as string;
      if (!this.isSymbol(this.peek(), ':')) {
        const hint = this.peek().kind === 'name' ? 'a key with spaces is written in quotes: "first name"' : this.found(this.peek());
        this.fail(this.peek().start, `expected ':' after the key '${name}'`, hint);
      }
      this.next();
      if (entries.some((e) => e.key === name)) this.fail(key.start, `the key '${name}' appears twice in this context`);
      entries.push({ key: name, value: this.expression() });
    }
    this.next();
    return { kind: 'context', at: open.start, entries };
  }

  // ---- unary tests after `in`

  /** `in (…)` holds several tests or an open-start range; without parentheses there is one test. */
  private unaryTests(): UnaryTest[] {
    const open = this.peek();
    if (!this.isSymbol(open, '(')) return [this.unaryTest(false)];
    this.next();
    const tests: UnaryTest[] = [];
    if (!this.isSymbol(this.peek(), '<', '<=', '>', '>=', '[', ']')) {
      const start = this.expression();
      if (this.isSymbol(this.peek(), '..')) return [this.rangeRest(open, start)];
      tests.push({ kind: 'equal-to', at: start.at, operand: start });
    } else {
      tests.push(this.unaryTest(true));
    }
    while (!this.isSymbol(this.peek(), ')')) {
      this.expect(',', "',' or ')'", `the tests after 'in' at ${this.column(open.start)} are not closed`);
      tests.push(this.unaryTest(true));
    }
    this.next();
    return tests;
  }

  /** One test: `< x`, a range, a list, or a value. Inside parentheses a value may be any expression. */
  private unaryTest(inParentheses: boolean): UnaryTest {
    const token = this.peek();
    if (this.isSymbol(token, '<', '<=', '>', '>=')) {
      this.next();
      return { kind: 'compare-to', at: token.start, operator: this.text(token) as '<' | '<=' | '>' | '>=', operand: this.additive() };
    }
    if (this.isSymbol(token, ']')) {
      this.next();
      return this.rangeRest(token, this.additive());
    }
    if (this.isSymbol(token, '[')) {
      this.next();
      if (this.isSymbol(this.peek(), ']')) return { kind: 'equal-to', at: token.start, operand: this.list(token, undefined) };
      const first = this.expression();
      if (this.isSymbol(this.peek(), '..')) return this.rangeRest(token, first);
      return { kind: 'equal-to', at: token.start, operand: this.list(token, first) };
    }
    const operand = inParentheses ? this.expression() : this.additive();
    return { kind: 'equal-to', at: operand.at, operand };
  }

  /** After a range's start: `..`, the end, and the bracket that says whether the end is in. */
  private rangeRest(open: Token, start: Node): UnaryTest {
    this.expect('..', "'..'", `in the range at ${this.column(open.start)}`);
    this.filterAllowed = false;
    const end = this.additive();
    this.filterAllowed = true;
    const close = this.next();
    if (!this.isSymbol(close, ')', ']', '[')) this.fail(close.start, "expected ')', ']' or '['", `${this.found(close)} (the range at ${this.column(open.start)} is not closed)`);
    return { kind: 'range', at: open.start, start, end, startIncluded: open.kind === 'symbol' && open.value === '[', endIncluded: close.kind === 'symbol' && close.value === ']' };
  }
}

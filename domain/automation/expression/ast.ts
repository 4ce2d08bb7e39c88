/**
 * The parsed form of a FEEL expression: plain data (no functions, no classes), so a runbook
 * can be parsed once when it is published and the tree passed to a workflow as input.
 * Every node records `at`, its offset in `source`, so evaluation errors can point back at it.
 */

/** A parsed expression and the text it came from. */
export interface Expression {
  readonly source: string;
  readonly root: Node;
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '**';
export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Node =
  | { readonly kind: 'literal'; readonly at: number; readonly value: null | boolean | number | string }
  | { readonly kind: 'name'; readonly at: number; readonly name: string }
  | { readonly kind: 'path'; readonly at: number; readonly base: Node; readonly key: string }
  | { readonly kind: 'filter'; readonly at: number; readonly base: Node; readonly filter: Node }
  | { readonly kind: 'list'; readonly at: number; readonly items: readonly Node[] }
  | { readonly kind: 'context'; readonly at: number; readonly entries: readonly { readonly key: string; readonly value: Node }[] }
  /** A built-in function; the parser has already put named arguments in parameter order. */
  | { readonly kind: 'call'; readonly at: number; readonly name: string; readonly args: readonly Node[] }
  | { readonly kind: 'negate'; readonly at: number; readonly operand: Node }
  | { readonly kind: 'arithmetic'; readonly at: number; readonly operator: ArithmeticOperator; readonly left: Node; readonly right: Node }
  | { readonly kind: 'comparison'; readonly at: number; readonly operator: ComparisonOperator; readonly left: Node; readonly right: Node }
  | { readonly kind: 'between'; readonly at: number; readonly value: Node; readonly low: Node; readonly high: Node }
  /** `value in test` or `value in (test, test…)`: true when at least one test holds. */
  | { readonly kind: 'in'; readonly at: number; readonly value: Node; readonly tests: readonly UnaryTest[] }
  /** `and` / `or` chains are flat, so a long chain is not a deep tree. */
  | { readonly kind: 'and' | 'or'; readonly at: number; readonly operands: readonly Node[] }
  | { readonly kind: 'if'; readonly at: number; readonly condition: Node; readonly then: Node; readonly else: Node };

/** One test on the right of `in` (FEEL's positive unary tests). */
export type UnaryTest =
  /** `< 5`, `>= x`: the value compared with the operand. */
  | { readonly kind: 'compare-to'; readonly at: number; readonly operator: '<' | '<=' | '>' | '>='; readonly operand: Node }
  /** `[1..10]`, `(0..1]`, `]a..b[`: `(`, `]` at the start and `)`, `[` at the end leave the endpoint out. */
  | { readonly kind: 'range'; readonly at: number; readonly start: Node; readonly end: Node; readonly startIncluded: boolean; readonly endIncluded: boolean }
  /** Any other expression: the value equals it, or it is a list that contains the value. */
  | { readonly kind: 'equal-to'; readonly at: number; readonly operand: Node };

/** The nodes directly below `node`, in source order. */
export function childrenOf(node: Node): Node[] {
  switch (node.kind) {
    case 'literal':
    case 'name':
      return [];
    case 'path':
      return [node.base];
    case 'filter':
      return [node.base, node.filter];
    case 'list':
      return [...node.items];
    case 'context':
      return node.entries.map((e) => e.value);
    case 'call':
      return [...node.args];
    case 'negate':
      return [node.operand];
    case 'arithmetic':
    case 'comparison':
      return [node.left, node.right];
    case 'between':
      return [node.value, node.low, node.high];
    case 'in':
      return [node.value, ...node.tests.flatMap((test) => (test.kind === 'range' ? [test.start, test.end] : [test.operand]))];
    case 'and':
    case 'or':
      return [...node.operands];
    case 'if':
      return [node.condition, node.then, node.else];
  }
}

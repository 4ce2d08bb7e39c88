/**
 * Expressions over earlier results, in FEEL — the expression language of BPMN/DMN that
 * Camunda 8 uses — so what a runbook's `condition` step says today, a process's gateway can
 * say tomorrow. A subset, built to grow: text → tokens → tree (`expression/parser.ts`) →
 * value (`expression/evaluator.ts`). Pure and deterministic: no `eval`, no clock, no I/O, and
 * bounded (length, depth, steps; see `expression/limits.ts`). docs/automation-expressions.md.
 */

import { type Expression } from './expression/ast';
import { ExpressionError, type ExpressionProblem } from './expression/error';
import { evaluateTree } from './expression/evaluator';
import { parse } from './expression/parser';
import { describe } from './expression/values';

export type { Expression, Node, UnaryTest } from './expression/ast';
export { ExpressionError, type ExpressionProblem, type SourcePosition } from './expression/error';
export { LIMITS } from './expression/limits';

export type ParseResult = { ok: true; ast: Expression } | { ok: false; error: ExpressionProblem };

/**
 * A condition's answer. `value` is `true` or `false`, or null with the `reason` when the
 * expression gave null or something that is not a boolean (a missing path, values that
 * cannot be compared, a number): the caller decides, and a condition that is not `true`
 * counts as not met.
 */
export type ConditionResult =
  | { ok: true; value: boolean }
  | { ok: true; value: null; reason: string }
  | { ok: false; error: ExpressionProblem };

/** The text as a tree, or the first problem with its position. Names in this subset have no spaces. */
export function parseExpression(text: string): ParseResult {
  try {
    return { ok: true, ast: { source: text, root: parse(text) } };
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, error: error.toProblem() };
    throw error;
  }
}

/**
 * The value of a parsed expression over `context` (its entries are the top-level names,
 * e.g. `steps`, `params`, `target`). Missing names and paths are null. Throws
 * `ExpressionError` only when a limit is exceeded or a pattern cannot be used.
 */
export function evaluate(ast: Expression, context: object): unknown {
  return evaluateTree(ast, context);
}

/** Parses (unless given a tree) and evaluates a condition; never throws for the expression's sake. */
export function evaluateCondition(expression: string | Expression, context: object): ConditionResult {
  let ast: Expression;
  if (typeof expression === 'string') {
    const parsed = parseExpression(expression);
    if (!parsed.ok) return parsed;
    ast = parsed.ast;
  } else {
    ast = expression;
  }
  let value: unknown;
  try {
    value = evaluateTree(ast, context);
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, error: error.toProblem() };
    throw error;
  }
  if (typeof value === 'boolean') return { ok: true, value };
  const reason =
    value === null
      ? 'the expression gave null (a missing name or path, or values that cannot be compared), not true or false'
      : `the expression gave ${describe(value)}, not true or false`;
  return { ok: true, value: null, reason };
}

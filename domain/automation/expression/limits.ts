/**
 * Bounds that keep a hostile or careless expression from hanging the worker or filling its
 * memory. Expressions run inside workflow code, where a long computation blocks the workflow
 * task, so every loop the evaluator runs is paid for from one budget of steps.
 */

export const LIMITS = {
  /** Characters in an expression. */
  expressionLength: 2_000,
  /** Nesting of the parsed tree (parentheses, lists, calls, operators inside operators). */
  depth: 64,
  /**
   * Evaluation steps: one per node evaluated and per list item visited, a tenth per step of
   * the pattern matcher (that much cheaper). A million is about half a second of work.
   */
  steps: 1_000_000,
  /** What one step of the pattern matcher costs, in steps. */
  patternStepCost: 0.1,
  /** Characters in a string the expression builds (`+`, `string()`). */
  stringLength: 1_000_000,
  /** How deep `=` and `string()` follow lists and contexts in the data. */
  valueNesting: 100,
  /** Characters in a `matches()` pattern. */
  patternLength: 1_000,
  /** Instructions a compiled pattern may have once `{n,m}` repetitions are expanded. */
  patternSize: 10_000,
  /** Characters of `matches()` input. Matching is linear in the input, so this is generous. */
  matchInput: 1_000_000,
} as const;

/** The step budget of one evaluation. `exceeded` is called once, to throw the caller's error. */
export class Budget {
  private left: number = LIMITS.steps;
  constructor(private readonly exceeded: () => never) {}

  charge(steps = 1): void {
    this.left -= steps;
    if (this.left < 0) this.exceeded();
  }
}

/** 1000000 as "1,000,000" for messages (no Intl: this runs in workflow code too). */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Errors a runbook author reads: what is wrong, where (line and column, 1-based), and what to
 * do about it. Parse errors and evaluation limits use the same shape.
 */

export interface SourcePosition {
  /** 0-based offset in the expression text. */
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export interface ExpressionProblem {
  readonly message: string;
  readonly position: SourcePosition;
}

export class ExpressionError extends Error implements ExpressionProblem {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    readonly position: SourcePosition,
  ) {
    super(message);
  }

  /** `{ message, position }` without the stack, for results and logs. */
  toProblem(): ExpressionProblem {
    return { message: this.message, position: this.position };
  }
}

export function positionAt(source: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** "column 17", or "line 2, column 5" when the text has several lines. */
export function where(source: string, offset: number): string {
  const { line, column } = positionAt(source, offset);
  return source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
}

/** "`what` at column 17: `hint`". */
export function expressionError(source: string, offset: number, what: string, hint?: string): ExpressionError {
  return new ExpressionError(`${what} at ${where(source, offset)}${hint ? `: ${hint}` : ''}`, positionAt(source, offset));
}

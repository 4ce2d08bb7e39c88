/** A syntax error: `start` and `end` are indexes in the text that was parsed (UTF-16, as `slice` takes them). */
export class MatcherSyntaxError extends Error {
  override readonly name = 'MatcherSyntaxError';
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

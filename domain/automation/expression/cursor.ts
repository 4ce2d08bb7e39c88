/**
 * The parser's position in the token list, and the messages it builds from there: what was
 * expected, after what, and what came instead.
 */

import { expressionError, where } from './error';
import { LIMITS } from './limits';
import { type Token, tokenize } from './tokenizer';

export class TokenCursor {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(readonly source: string) {
    this.tokens = tokenize(source);
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    return this.tokens[this.pos++]!;
  }

  isSymbol(token: Token, ...symbols: string[]): boolean {
    return token.kind === 'symbol' && symbols.includes(token.value);
  }

  isKeyword(token: Token, word: string): boolean {
    return token.kind === 'name' && !token.quoted && token.value === word;
  }

  text(token: Token): string {
    return this.source.slice(token.start, token.end);
  }

  /** A token as a message names it: `')'`, `"text"`, or the end. */
  found(token: Token): string {
    if (token.kind === 'end') return 'the expression ends there';
    const text = this.text(token);
    return `found ${token.kind === 'string' ? (text.length > 30 ? `${text.slice(0, 30)}…"` : text) : `'${text}'`}`;
  }

  fail(offset: number, what: string, hint?: string): never {
    throw expressionError(this.source, offset, what, hint);
  }

  column(offset: number): string {
    return where(this.source, offset);
  }

  tooDeep(offset: number): never {
    this.fail(offset, `the expression nests more than ${LIMITS.depth} levels deep`, 'split it, or use x in (a, b, c) instead of long chains');
  }

  /** The next token must be `symbol`; `expected` names what fits there, `note` what it belongs to. */
  expect(symbol: string, expected: string, note: string): Token {
    const token = this.peek();
    if (!this.isSymbol(token, symbol)) this.fail(token.start, `expected ${expected}`, `${this.found(token)} (${note})`);
    return this.next();
  }

  expectKeyword(word: string, note: string): void {
    const token = this.peek();
    if (!this.isKeyword(token, word)) this.fail(token.start, `expected '${word}'`, `${this.found(token)} (${note})`);
    this.next();
  }

  /** A value was needed here: say after what, and what came instead. */
  expectedValue(token: Token): never {
    const previous = this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
    this.fail(token.start, previous ? `expected a value after '${this.text(previous)}'` : 'expected a value', this.found(token));
  }

  /** Something is left after a complete expression. */
  unexpected(): never {
    const token = this.peek();
    if (this.isSymbol(token, ')', ']', '}')) this.fail(token.start, `unmatched '${this.text(token)}'`);
    this.fail(token.start, `unexpected '${this.text(token)}'`, "expected an operator such as 'and', 'or', '=', '+', or the end of the expression");
  }

  skip(count: number): void {
    this.pos += count;
  }
}

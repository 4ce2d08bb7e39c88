/**
 * FEEL's values over plain JavaScript data: null, booleans, numbers, strings, lists (arrays)
 * and contexts (plain objects). Data from step results is read as it is, never copied: anything
 * else (undefined, NaN, functions, Dates, class instances) reads as null, and only an object's
 * own properties are entries, so a path can never reach a prototype.
 */

import { count, LIMITS } from './limits';

export type Kind = 'null' | 'boolean' | 'number' | 'string' | 'list' | 'context';

/** A context: a plain object's own enumerable entries. */
export type Context = { readonly [key: string]: unknown };

/** The walk of one comparison or conversion through nested data: paid steps and a depth cap. */
export interface Traversal {
  charge(steps?: number): void;
  /** Stops the evaluation with an error at the expression being evaluated. */
  fail(what: string, hint?: string): never;
}

const tooDeep = `a value is nested more than ${LIMITS.valueNesting} levels deep`;
const tooLong = `string() would build more than ${count(LIMITS.stringLength)} characters`;

export function kindOf(value: unknown): Kind {
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isFinite(value) ? 'number' : 'null';
    case 'string':
      return 'string';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'list';
      // A plain object of any realm (data may come from another vm context): its prototype is a root.
      const prototype: unknown = Object.getPrototypeOf(value);
      return prototype === null || Object.getPrototypeOf(prototype) === null ? 'context' : 'null';
    }
    default:
      return 'null';
  }
}

export function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

export function isContext(value: unknown): value is Context {
  return kindOf(value) === 'context';
}

/** A value as FEEL sees it: unsupported things become null. */
export function read(value: unknown): unknown {
  return kindOf(value) === 'null' ? null : value;
}

/** A context's entry, or null when it has none (FEEL: a missing entry is null). */
export function entry(context: Context, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(context, key) ? read(context[key]) : null;
}

/** A context entry set as an own property, so a key like `__proto__` is only a key. */
export function setEntry(context: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(context, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * FEEL `=`: null equals only null; values of different kinds cannot be compared (null);
 * lists are equal item by item and contexts entry by entry, where items of different
 * kinds are simply unequal.
 */
export function equal(a: unknown, b: unknown, walk: Traversal, depth = 0): boolean | null {
  walk.charge();
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'null' || kb === 'null') return ka === kb;
  if (ka !== kb) return null;
  if (depth > LIMITS.valueNesting) walk.fail(tooDeep);
  if (ka === 'list') {
    const x = a as readonly unknown[];
    const y = b as readonly unknown[];
    return x.length === y.length && x.every((item, i) => equal(item, y[i], walk, depth + 1) === true);
  }
  if (ka === 'context') {
    const x = a as Context;
    const y = b as Context;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    return keys.every((key) => Object.prototype.hasOwnProperty.call(y, key) && equal(entry(x, key), entry(y, key), walk, depth + 1) === true);
  }
  return a === b;
}

/** FEEL ordering (`<`, `between`, ranges): numbers with numbers, strings with strings; anything else is null. */
export function order(a: unknown, b: unknown): -1 | 0 | 1 | null {
  const ka = kindOf(a);
  if (ka !== kindOf(b) || (ka !== 'number' && ka !== 'string')) return null;
  const x = a as number | string;
  const y = b as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** FEEL `string(x)`: a string as it is; inside lists and contexts strings are quoted (`["a", 1]`, `{a:1}`). */
export function show(value: unknown, walk: Traversal): string {
  const out: string[] = [];
  let length = 0;
  const push = (text: string) => {
    out.push(text);
    length += text.length;
    if (length > LIMITS.stringLength) walk.fail(tooLong);
  };
  const visit = (v: unknown, depth: number, nested: boolean): void => {
    walk.charge();
    if (depth > LIMITS.valueNesting) walk.fail(tooDeep);
    switch (kindOf(v)) {
      case 'null':
        return push('null');
      case 'string':
        return push(nested ? `"${v as string}"` : (v as string));
      case 'number':
        return push(String(v));
      case 'boolean':
        return push(v ? 'true' : 'false');
      case 'list':
        push('[');
        (v as readonly unknown[]).forEach((item, i) => {
          if (i > 0) push(', ');
          visit(item, depth + 1, true);
        });
        return push(']');
      case 'context':
        push('{');
        Object.keys(v as Context).forEach((key, i) => {
          if (i > 0) push(', ');
          push(`${key}:`);
          visit(entry(v as Context, key), depth + 1, true);
        });
        return push('}');
    }
  };
  visit(value, 0, false);
  return out.join('');
}

/** A value named for a message: `a number (42)`, `a string ("ok")`, `null`. */
export function describe(value: unknown): string {
  const kind = kindOf(value);
  switch (kind) {
    case 'null':
      return 'null';
    case 'number':
      return `a number (${String(value)})`;
    case 'boolean':
      return `a boolean (${String(value)})`;
    case 'string': {
      const text = value as string;
      return `a string ("${text.length > 40 ? `${text.slice(0, 40)}…` : text}")`;
    }
    case 'list':
      return `a list of ${(value as readonly unknown[]).length}`;
    case 'context':
      return 'a context';
  }
}

import type { z } from 'zod';
import { type FieldError, InputError } from './problem';

/** Rejects MongoDB operators (`$gt`) and dotted paths in keys anywhere in the input. */
export function operatorKeys(value: unknown, at: string): FieldError[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => operatorKeys(item, `${at}.${i}`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const here = `${at}.${key}`;
    const own = key.startsWith('$') || key.includes('.') ? [{ field: here, message: `key '${key}' is not allowed: keys may not start with '$' or contain '.'` }] : [];
    return [...own, ...operatorKeys(inner, here)];
  });
}

/** Parses one part of a request (body, query, params) or throws an InputError naming each field. */
export function parsePart<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'query' | 'params'): z.output<S> {
  const operators = operatorKeys(value, part);
  if (operators.length) throw new InputError('the request contains keys that are not allowed', operators);
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: [part, ...issue.path.map(String)].join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  const summary = errors.map((e) => `${e.field.slice(part.length + 1) || part}: ${e.message}`).join('; ');
  throw new InputError(`invalid ${part}: ${summary}`, errors);
}

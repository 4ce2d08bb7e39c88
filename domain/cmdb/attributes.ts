/**
 * Validation of CI attribute values against their class: every problem is reported per
 * attribute, in words a person fixing a form or an import file understands, and values are
 * normalized (canonical IPs and CIDRs, ISO dates, trimmed strings) so equal things compare
 * equal in queries and in uniqueness checks.
 */

import { parseCidr, parseIp } from './ip';
import type { AttributeDefinition, ResolvedClass } from './model';

export type AttributeValue = string | number | boolean | null | Array<string | number | boolean>;
export type Attributes = Record<string, AttributeValue>;

export interface AttributeError {
  attribute: string;
  message: string;
}

type Checked = { ok: true; value: string | number | boolean } | { ok: false; message: string };

const URL_PATTERN = /^(https?|ftp|ssh|ldaps?|snmp):\/\/[^\s/$.?#][^\s]*$/i;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const regexCache = new Map<string, RegExp>();

function anchored(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (!regex) regexCache.set(pattern, (regex = new RegExp(`^(?:${pattern})$`)));
  return regex;
}

function bounded(value: number, spec: AttributeDefinition, what: string): string | null {
  if (spec.min !== undefined && value < spec.min) return `${what} must be at least ${spec.min}`;
  if (spec.max !== undefined && value > spec.max) return `${what} must be at most ${spec.max}`;
  return null;
}

function checkNumber(raw: unknown, spec: AttributeDefinition): Checked {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, message: `must be a number, got ${JSON.stringify(raw)}` };
  if (spec.type === 'integer' && !Number.isSafeInteger(value)) return { ok: false, message: `must be a whole number, got ${value}` };
  const outside = bounded(value, spec, 'the value');
  return outside ? { ok: false, message: outside } : { ok: true, value };
}

function checkString(raw: unknown, spec: AttributeDefinition): Checked {
  if (typeof raw !== 'string') return { ok: false, message: `must be text, got ${JSON.stringify(raw)}` };
  const value = raw.trim();
  const outside = bounded(value.length, spec, 'the text');
  if (outside) return { ok: false, message: `${outside} characters long` };
  if (spec.pattern !== undefined && !anchored(spec.pattern).test(value)) return { ok: false, message: `must match the pattern ${spec.pattern}, got ${JSON.stringify(value)}` };
  return { ok: true, value };
}

function checkText(raw: unknown, describe: string, parse: (text: string) => string | null): Checked {
  const parsed = typeof raw === 'string' ? parse(raw) : null;
  return parsed === null ? { ok: false, message: `must be ${describe}, got ${JSON.stringify(raw)}` } : { ok: true, value: parsed };
}

/** One value (not a list) of an attribute, normalized, or why it is wrong. */
export function checkValue(raw: unknown, spec: AttributeDefinition): Checked {
  switch (spec.type) {
    case 'string':
      return checkString(raw, spec);
    case 'integer':
    case 'number':
      return checkNumber(raw, spec);
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
      return { ok: false, message: `must be true or false, got ${JSON.stringify(raw)}` };
    case 'date':
      return checkText(raw, 'a date (2026-11-22) or an ISO date-time', (text) => {
        const trimmed = text.trim();
        if (!DATE_PATTERN.test(trimmed) || Number.isNaN(Date.parse(trimmed))) return null;
        return trimmed.length === 10 ? trimmed : new Date(trimmed).toISOString();
      });
    case 'enum':
      return typeof raw === 'string' && spec.values!.includes(raw.trim())
        ? { ok: true, value: raw.trim() }
        : { ok: false, message: `must be one of ${spec.values!.join(', ')}, got ${JSON.stringify(raw)}` };
    case 'ip':
      return checkText(raw, 'an IPv4 or IPv6 address', (text) => parseIp(text)?.text ?? null);
    case 'cidr':
      return checkText(raw, 'a network in CIDR form such as 10.20.0.0/16 (host bits zero)', (text) => parseCidr(text)?.text ?? null);
    case 'url':
      return checkText(raw, 'a URL such as https://example.com/path', (text) => (URL_PATTERN.test(text.trim()) ? text.trim() : null));
    case 'reference':
      return checkText(raw, 'the id of a CI', (text) => (text.trim() === '' ? null : text.trim()));
  }
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** One attribute's value (a list when the attribute is a list), normalized, or its errors. */
export function checkAttribute(name: string, raw: unknown, spec: AttributeDefinition): { value: AttributeValue; errors: AttributeError[] } {
  if (isEmpty(raw)) {
    return spec.required ? { value: null, errors: [{ attribute: name, message: 'is required' }] } : { value: spec.list ? [] : null, errors: [] };
  }
  if (!spec.list) {
    const checked = checkValue(raw, spec);
    return checked.ok ? { value: checked.value, errors: [] } : { value: null, errors: [{ attribute: name, message: checked.message }] };
  }
  if (!Array.isArray(raw)) return { value: null, errors: [{ attribute: name, message: `must be a list, got ${JSON.stringify(raw)}` }] };
  const values: Array<string | number | boolean> = [];
  const errors: AttributeError[] = [];
  for (const [i, item] of raw.entries()) {
    const checked = checkValue(item, spec);
    if (checked.ok) values.push(checked.value);
    else errors.push({ attribute: `${name}[${i}]`, message: checked.message });
  }
  return { value: values, errors };
}

/**
 * Validates a CI's attributes against its class: unknown attributes, missing required
 * ones, wrong types and broken rules. Absent attributes take their default. Returns the
 * normalized attributes (every attribute of the class, null or [] when empty).
 */
export function validateAttributes(cls: ResolvedClass, input: Record<string, unknown>): { attributes: Attributes; errors: AttributeError[] } {
  const errors: AttributeError[] = [];
  for (const name of Object.keys(input)) {
    if (!cls.attributes[name]) errors.push({ attribute: name, message: `class '${cls.name}' has no attribute '${name}'` });
  }
  const attributes: Attributes = {};
  for (const [name, spec] of Object.entries(cls.attributes)) {
    const raw = Object.hasOwn(input, name) ? input[name] : spec.default;
    const checked = checkAttribute(name, raw, spec);
    attributes[name] = checked.value;
    errors.push(...checked.errors);
  }
  return { attributes, errors };
}

/** Problems of an attribute definition's default, judged by the definition itself. */
export function defaultIssues(spec: AttributeDefinition): string[] {
  if (spec.default === undefined) return [];
  return checkAttribute('default', spec.default, { ...spec, required: false }).errors.map((e) => `the default ${e.message}`);
}

/** Attribute-level differences, for history: only what changed. */
export function attributeChanges(before: Attributes, after: Attributes): Record<string, { before: AttributeValue; after: AttributeValue }> {
  const changes: Record<string, { before: AttributeValue; after: AttributeValue }> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[name] ?? null;
    const b = after[name] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[name] = { before: a, after: b };
  }
  return changes;
}

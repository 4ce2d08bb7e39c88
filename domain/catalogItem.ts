/**
 * A service catalog item: what a requester can order, the form they fill in, who must
 * approve it and which groups fulfil it. Items are files (catalog/items/<id>.yaml).
 *
 * The form is a small JSON Schema subset. The browser and the server validate answers
 * with the same validateAnswers(), so a requester never meets a rule only one side
 * knows, and the messages are written for the requester, not for a developer.
 */

import type { ApprovalMode, DueAction, RejectionRule } from './approval';
import { parseDuration } from './sla/policy';

/** An item's id is its file name: lower-case words joined by single dashes. */
export const CATALOG_ITEM_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const CATALOG_ITEM_ID_MAX = 64;

/** Field names end up as keys in stored requests: no `$`, no dots, no `__proto__`. */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export const FIELD_TYPES = ['string', 'number', 'integer', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const STRING_FORMATS = ['email', 'date'] as const;
export type StringFormat = (typeof STRING_FORMATS)[number];

export type Answer = string | number | boolean;
export type Answers = Record<string, Answer>;

export interface FormField {
  type: FieldType;
  /** The label the requester sees. */
  title: string;
  /** Help text under the field; say here what a `pattern` expects. */
  description?: string;
  /** The only allowed values, offered as a select. */
  enum?: Answer[];
  format?: StringFormat;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  /** A regular expression (Unicode, unanchored as in JSON Schema: add ^…$ to match the whole value). */
  pattern?: string;
  /** Used when the requester leaves the field empty. */
  default?: Answer;
  'x-widget'?: 'textarea';
}

export interface FormSchema {
  type: 'object';
  properties: Record<string, FormField>;
  required?: string[];
  /** Field order on screen; fields not listed follow in declaration order. */
  'x-order'?: string[];
}

/**
 * Who approves, as an item states it; resolved to user names when a request is made:
 * the requester's manager, that manager's own manager, named users, or a group's members.
 * The requester never approves their own request.
 */
export type Approvers = 'manager' | 'manager_of_manager' | { users: string[] } | { group: string };

/** One approval level of an item; levels run one after another (see docs/approvals.md). */
export interface CatalogApprovalLevel {
  /** Shown to approvers and in the timeline, e.g. "Line manager" or "IT security". */
  name: string;
  approvers: Approvers;
  /** As the approval engine takes it; written `any`, `all`, `{ percentage: 50 }` or `{ at_least: 2 }` in YAML. */
  mode: ApprovalMode;
  /** Absent: the engine's default (`all` vetoes at the first rejection, the others when approval is out of reach). */
  rejectWhen?: RejectionRule;
  /** How long the level may stay undecided, from its start, e.g. '2d', '4h', '1d 12h' (calendar time). */
  due?: string;
  /** What happens when `due` has passed; set with `due`. */
  onDue?: DueAction;
  /** Who is added as approver when `onDue` is `escalate`; the same forms as `approvers`. */
  escalateTo?: Approvers;
}

/** The levels a request for the item must pass, in order; none: no approval needed. */
export interface Approval {
  levels: CatalogApprovalLevel[];
}

/** True when ordering the item asks for approval first. */
export function needsApproval(item: Pick<CatalogItem, 'approval'>): boolean {
  return item.approval.levels.length > 0;
}

/** The level's time limit in ms, or undefined when it has none; `due` was checked when the item loaded. */
export function approvalDueInMs(level: CatalogApprovalLevel): number | undefined {
  return level.due === undefined ? undefined : parseDuration(level.due);
}

/** How many approvers a rule names for certain whatever the directory says: one manager, a fixed list; null for a group. */
export function fixedApproverCount(approvers: Approvers): number | null {
  if (approvers === 'manager' || approvers === 'manager_of_manager') return 1;
  return 'users' in approvers ? new Set(approvers.users).size : null;
}

/**
 * What is wrong with a level beyond the shape of each field (which the loader's schema
 * checks): rules that involve several fields, as "field: message" issues.
 */
export function approvalLevelIssues(level: CatalogApprovalLevel): FormSchemaIssue[] {
  const issues: FormSchemaIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  if (typeof level.approvers === 'object' && 'users' in level.approvers) {
    const seen = new Set<string>();
    level.approvers.users.forEach((user, i) => {
      if (seen.has(user)) issue(`approvers.users.${i}`, `lists ${user} twice`);
      seen.add(user);
    });
  }
  const fixed = fixedApproverCount(level.approvers);
  if (level.mode.type === 'at_least' && fixed !== null && level.mode.count > fixed) {
    const who = typeof level.approvers === 'string' ? `${level.approvers} is one approver` : `approvers lists ${fixed} user${fixed === 1 ? '' : 's'}`;
    issue('mode.at_least', `${level.mode.count} approvals can never be reached: ${who}`);
  }
  if (level.due !== undefined && level.onDue === undefined) issue('onDue', 'is required with due: approve, reject or escalate when the level is still undecided');
  if (level.onDue !== undefined && level.due === undefined) issue('due', `is required with onDue: how long the level may take, e.g. '2d' or '4h'`);
  if (level.onDue === 'escalate' && level.escalateTo === undefined) issue('escalateTo', "is required with onDue: escalate: who is added as approver, e.g. { group: dba } or { users: [alice] }");
  if (level.escalateTo !== undefined && level.onDue !== 'escalate') issue('escalateTo', 'is used only with onDue: escalate; remove it or escalate');
  return issues;
}

export interface FulfilmentTask {
  title: string;
  /** The assignment group whose queue the task lands in. */
  group: string;
}

export interface Fulfilment {
  /** The group accountable for the request as a whole. */
  group: string;
  tasks: FulfilmentTask[];
}

export interface CatalogItem {
  /** The file name without `.yaml`. */
  id: string;
  name: string;
  category: string;
  description: string;
  keywords: string[];
  form: FormSchema;
  approval: Approval;
  fulfilment: Fulfilment;
  /** Position in listings: lower first. */
  order: number;
}

export interface AnswerError {
  /** The field's name; '' for the answers as a whole. */
  field: string;
  message: string;
}

export type AnswersResult = { ok: true; answers: Answers } | { ok: false; errors: AnswerError[] };

/* ---------- Answers ---------- */

/**
 * Checks a requester's answers against a form: unknown fields are rejected, required
 * ones must be filled in, every value must fit its field. Empty strings count as not
 * answered (that is what an untouched form input holds), and defaults fill the gaps.
 * Strings are trimmed; numbers may arrive as decimal strings, as form inputs hold them.
 */
export function validateAnswers(form: FormSchema, answers: unknown): AnswersResult {
  if (!isRecord(answers)) return { ok: false, errors: [{ field: '', message: 'The answers must be an object that maps each field name to its value' }] };
  const errors: AnswerError[] = [];
  const accepted: Answers = {};
  const required = new Set(form.required ?? []);
  for (const name of fieldOrder(form)) {
    const field = form.properties[name]!;
    const raw = Object.hasOwn(answers, name) ? answers[name] : undefined;
    if (isBlank(raw)) {
      if (field.default !== undefined) accepted[name] = field.default;
      else if (required.has(name)) errors.push({ field: name, message: `${field.title} is required` });
      continue;
    }
    const checked = checkAnswer(field, raw);
    if ('error' in checked) errors.push({ field: name, message: checked.error });
    else accepted[name] = checked.value;
  }
  for (const name of Object.keys(answers)) {
    if (!Object.hasOwn(form.properties, name)) errors.push({ field: name, message: `This form has no field '${name}'` });
  }
  return errors.length ? { ok: false, errors } : { ok: true, answers: accepted };
}

/** The form's field names in the order they are shown. */
export function fieldOrder(form: FormSchema): string[] {
  const names = Object.keys(form.properties);
  const listed = (form['x-order'] ?? []).filter((name) => Object.hasOwn(form.properties, name));
  return [...new Set([...listed, ...names])];
}

export function isRequired(form: FormSchema, name: string): boolean {
  return (form.required ?? []).includes(name);
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

type Checked = { value: Answer } | { error: string };

/** One non-empty answer against its field: the type first, then the field's constraints. */
function checkAnswer(field: FormField, raw: unknown): Checked {
  const typed = typedAnswer(field, raw);
  if ('error' in typed) return typed;
  const { value } = typed;
  if (field.enum && !field.enum.includes(value)) return { error: `${field.title} must be ${choiceList(field.enum)}` };
  const problem = typeof value === 'string' ? stringProblem(field, value) : typeof value === 'number' ? numberProblem(field, value) : null;
  return problem ? { error: `${field.title} ${problem}` } : { value };
}

const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function typedAnswer(field: FormField, raw: unknown): Checked {
  switch (field.type) {
    case 'string':
      return typeof raw === 'string' ? { value: raw.trim() } : { error: `${field.title} must be text` };
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : { error: `${field.title} must be yes or no (true or false)` };
    case 'number':
    case 'integer': {
      const number = typeof raw === 'number' ? raw : typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(number)) return { error: `${field.title} must be a number` };
      if (field.type === 'integer' && !Number.isInteger(number)) return { error: `${field.title} must be a whole number` };
      return { value: number };
    }
  }
}

const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

function stringProblem(field: FormField, value: string): string | null {
  const length = [...value].length;
  if (field.format === 'email' && !EMAIL.test(value)) return 'must be an email address like name@example.com';
  if (field.format === 'date' && !isCalendarDate(value)) return 'must be a date like 2026-03-31';
  if (field.minLength !== undefined && length < field.minLength) return `must be at least ${characters(field.minLength)} (it has ${length})`;
  if (field.maxLength !== undefined && length > field.maxLength) return `must be at most ${characters(field.maxLength)} (it has ${length})`;
  if (field.pattern !== undefined && !new RegExp(field.pattern, 'u').test(value)) return 'is not in the expected format';
  return null;
}

function numberProblem(field: FormField, value: number): string | null {
  if (field.minimum !== undefined && value < field.minimum) return `must be at least ${field.minimum}`;
  if (field.maximum !== undefined && value > field.maximum) return `must be at most ${field.maximum}`;
  return null;
}

function characters(n: number): string {
  return `${n} character${n === 1 ? '' : 's'}`;
}

/** "one of: A, B or C", or, for long lists, a pointer to the offered options. */
function choiceList(values: Answer[]): string {
  if (values.length === 1) return String(values[0]);
  if (values.length > 8) return `one of the ${values.length} offered options`;
  return `one of: ${values.slice(0, -1).map(String).join(', ')} or ${String(values[values.length - 1])}`;
}

/** YYYY-MM-DD naming a day that exists (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/* ---------- Form schemas ---------- */

const FORM_KEYWORDS = ['type', 'properties', 'required', 'x-order'];
const COMMON_FIELD_KEYWORDS = ['type', 'title', 'description', 'enum', 'default'];
const FIELD_KEYWORDS_BY_TYPE: Record<FieldType, string[]> = {
  string: ['format', 'minLength', 'maxLength', 'pattern', 'x-widget'],
  number: ['minimum', 'maximum'],
  integer: ['minimum', 'maximum'],
  boolean: [],
};
const ALL_FIELD_KEYWORDS = [...new Set([...COMMON_FIELD_KEYWORDS, ...Object.values(FIELD_KEYWORDS_BY_TYPE).flat()])];

export interface FormSchemaIssue {
  /** Dotted path inside the form, e.g. `properties.startDate.format`; '' for the form itself. */
  path: string;
  message: string;
}

/**
 * What is wrong with a form schema, as "path: message" lines (none when it is valid).
 * Keywords outside the supported subset are errors: silently ignoring one would let an
 * author believe a rule is enforced when it is not.
 */
export function validateFormSchema(form: unknown): string[] {
  return formSchemaIssues(form).map(({ path, message }) => (path ? `${path}: ${message}` : message));
}

export function formSchemaIssues(form: unknown): FormSchemaIssue[] {
  if (!isRecord(form)) return [{ path: '', message: 'must be a mapping with `type: object` and `properties`' }];
  const issues: FormSchemaIssue[] = Object.keys(form)
    .filter((key) => !FORM_KEYWORDS.includes(key))
    .map((key) => ({ path: key, message: `is not supported in a form; use only ${FORM_KEYWORDS.join(', ')}` }));
  if (form.type !== 'object') issues.push({ path: 'type', message: "must be 'object'" });
  if (!isRecord(form.properties)) return [...issues, { path: 'properties', message: 'must be a mapping from field names to fields' }];
  const names = Object.keys(form.properties);
  for (const name of names) {
    issues.push(...fieldIssues(name, form.properties[name]).map((issue) => ({ ...issue, path: join('properties', name, issue.path) })));
  }
  issues.push(...nameListIssues('required', form.required, names), ...nameListIssues('x-order', form['x-order'], names));
  return issues;
}

function fieldIssues(name: string, field: unknown): FormSchemaIssue[] {
  if (!FIELD_NAME.test(name)) return [{ path: '', message: 'field names start with a letter and use only letters, digits and underscores (at most 64)' }];
  if (!isRecord(field)) return [{ path: '', message: 'must be a mapping with at least `type` and `title`' }];
  if (!FIELD_TYPES.includes(field.type as FieldType)) return [{ path: 'type', message: `must be one of ${FIELD_TYPES.join(', ')}` }];
  const type = field.type as FieldType;
  const issues = [...keywordIssues(type, field), ...valueIssues(type, field)];
  // Only a well-formed field can judge its own default and options.
  return issues.length ? issues : sampleIssues(field as unknown as FormField);
}

function keywordIssues(type: FieldType, field: Record<string, unknown>): FormSchemaIssue[] {
  const allowed = [...COMMON_FIELD_KEYWORDS, ...FIELD_KEYWORDS_BY_TYPE[type]];
  return Object.keys(field)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({
      path: key,
      message: ALL_FIELD_KEYWORDS.includes(key) ? `does not apply to ${type} fields; remove it or change the type` : `is not supported; a ${type} field may use ${allowed.join(', ')}`,
    }));
}

function valueIssues(type: FieldType, field: Record<string, unknown>): FormSchemaIssue[] {
  const issues: FormSchemaIssue[] = [];
  const problem = (path: string, message: string) => issues.push({ path, message });
  if (typeof field.title !== 'string' || field.title.trim() === '') problem('title', 'must be a non-empty text: the label the requester sees');
  if (field.description !== undefined && typeof field.description !== 'string') problem('description', 'must be text');
  if (field.format !== undefined && !STRING_FORMATS.includes(field.format as StringFormat)) problem('format', `must be one of ${STRING_FORMATS.join(', ')}`);
  if (field['x-widget'] !== undefined && field['x-widget'] !== 'textarea') problem('x-widget', "must be 'textarea'");
  if (field['x-widget'] !== undefined && (field.enum !== undefined || field.format !== undefined)) problem('x-widget', 'a textarea cannot also have enum or format');
  for (const key of ['minLength', 'maxLength']) {
    if (field[key] !== undefined && !(Number.isInteger(field[key]) && (field[key] as number) >= 0)) problem(key, 'must be a whole number, 0 or more');
  }
  for (const key of ['minimum', 'maximum']) {
    if (field[key] !== undefined && !(typeof field[key] === 'number' && Number.isFinite(field[key]))) problem(key, 'must be a number');
  }
  if (isOrdered(field.minLength, field.maxLength)) problem('minLength', 'must not be greater than maxLength');
  if (isOrdered(field.minimum, field.maximum)) problem('minimum', 'must not be greater than maximum');
  if (field.pattern !== undefined) {
    const error = patternError(field.pattern);
    if (error) problem('pattern', error);
  }
  if (field.enum !== undefined) issues.push(...enumIssues(type, field.enum));
  if (field.default !== undefined && !isOfType(type, field.default)) problem('default', `must be ${TYPE_WORDS[type]}, like the field`);
  return issues;
}

function isOrdered(low: unknown, high: unknown): boolean {
  return typeof low === 'number' && typeof high === 'number' && low > high;
}

function patternError(pattern: unknown): string | null {
  if (typeof pattern !== 'string') return 'must be a regular expression, as text';
  try {
    new RegExp(pattern, 'u');
    return null;
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
}

function enumIssues(type: FieldType, values: unknown): FormSchemaIssue[] {
  if (!Array.isArray(values) || values.length === 0) return [{ path: 'enum', message: 'must be a non-empty list of the allowed values' }];
  const issues: FormSchemaIssue[] = [];
  values.forEach((value, i) => {
    if (!isOfType(type, value)) issues.push({ path: `enum.${i}`, message: `must be ${TYPE_WORDS[type]}, like the field` });
    else if (typeof value === 'string' && (value === '' || value !== value.trim())) issues.push({ path: `enum.${i}`, message: 'must not be empty or start or end with spaces' });
    else if (values.indexOf(value) !== i) issues.push({ path: `enum.${i}`, message: `repeats ${String(value)}` });
  });
  return issues;
}

/** Each option and the default must themselves be valid answers to the field. */
function sampleIssues(field: FormField): FormSchemaIssue[] {
  const issues: FormSchemaIssue[] = [];
  (field.enum ?? []).forEach((value, i) => {
    const checked = checkAnswer({ ...field, enum: undefined }, value);
    if ('error' in checked) issues.push({ path: `enum.${i}`, message: `is not a valid answer: ${checked.error}` });
  });
  if (field.default !== undefined) {
    const checked = isBlank(field.default) ? { error: 'an empty default means no default; leave it out' } : checkAnswer(field, field.default);
    if ('error' in checked) issues.push({ path: 'default', message: `is not a valid answer: ${checked.error}` });
  }
  return issues;
}

const TYPE_WORDS: Record<FieldType, string> = { string: 'text', number: 'a number', integer: 'a whole number', boolean: 'true or false' };

function isOfType(type: FieldType, value: unknown): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === type;
}

function nameListIssues(key: string, value: unknown, names: string[]): FormSchemaIssue[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [{ path: key, message: 'must be a list of field names' }];
  return value.flatMap((name: unknown, i) => {
    if (typeof name !== 'string' || !names.includes(name)) return [{ path: `${key}.${i}`, message: `${JSON.stringify(name)} is not a field of this form` }];
    return value.indexOf(name) !== i ? [{ path: `${key}.${i}`, message: `lists ${name} twice` }] : [];
  });
}

function join(...parts: string[]): string {
  return parts.filter(Boolean).join('.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/* ---------- Browsing ---------- */

export interface CatalogQuery {
  /** Words to look for in name, keywords, category and description. */
  q?: string;
  /** Only items of this category (case-insensitive). */
  category?: string;
}

/** Where a word counts most: a hit in the name says more than one in the description. */
const WEIGHTS = { name: 8, keywords: 6, category: 4, description: 2 } as const;

/**
 * The items matching every word of `q` (and the category, if given), best first.
 * A word matches a word of the item that it starts (`lap` finds "laptop"), ignoring
 * case, accents and a plural `s`; whole-word hits rank above prefixes.
 */
export function searchItems(items: readonly CatalogItem[], { q = '', category }: CatalogQuery = {}): CatalogItem[] {
  const wanted = category?.trim() ? fold(category.trim()) : null;
  const candidates = wanted === null ? [...items] : items.filter((item) => fold(item.category) === wanted);
  const words = wordsOf(q);
  if (words.length === 0) return candidates.sort(byCatalogOrder);
  return candidates
    .map((item) => ({ item, score: scoreOf(item, words) }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score || byCatalogOrder(a.item, b.item))
    .map(({ item }) => item);
}

/** The catalog's categories, each once, alphabetically. */
export function categoriesOf(items: readonly CatalogItem[]): string[] {
  return [...new Set(items.map((item) => item.category))].sort((a, b) => a.localeCompare(b, 'en'));
}

export function byCatalogOrder(a: CatalogItem, b: CatalogItem): number {
  return a.order - b.order || a.name.localeCompare(b.name, 'en');
}

/** 0 when a word matches nowhere; otherwise the sum of each word's best hit. */
function scoreOf(item: CatalogItem, words: string[]): number {
  const fields = {
    name: wordsOf(item.name),
    keywords: item.keywords.flatMap(wordsOf),
    category: wordsOf(item.category),
    description: wordsOf(item.description),
  };
  let total = 0;
  for (const word of words) {
    const best = Math.max(...Object.entries(fields).map(([key, tokens]) => WEIGHTS[key as keyof typeof WEIGHTS] * hitOf(word, tokens)));
    if (best === 0) return 0;
    total += best;
  }
  return total;
}

function hitOf(word: string, tokens: string[]): number {
  if (tokens.some((token) => singular(token) === singular(word))) return 1;
  return tokens.some((token) => token.startsWith(word)) ? 0.5 : 0;
}

function singular(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

function wordsOf(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import type { ApprovalMode } from '../../domain/approval';
import { approvalLevelIssues, byCatalogOrder, CATALOG_ITEM_ID, CATALOG_ITEM_ID_MAX, type CatalogItem, type FormSchema, formSchemaIssues } from '../../domain/catalogItem';
import { parseDuration } from '../../domain/sla/policy';

/**
 * Reads the service catalog from `<dir>/items/*.yaml`, one item per file, its id the
 * file name. Every file is checked; a broken catalog fails the start with one error that
 * names each file, each field and what to change, so an author fixes them all at once.
 */
export function loadCatalogItems(dir: string): CatalogItem[] {
  const folder = path.join(dir, 'items');
  if (!fs.existsSync(folder)) throw new CatalogError(folder, [`${folder}: no such folder; catalog items live in <catalog>/items/<id>.yaml`]);
  const files = fs.readdirSync(folder).filter((name) => /\.ya?ml$/.test(name)).sort();
  const items: CatalogItem[] = [];
  const problems: string[] = [];
  for (const name of files) {
    const file = path.join(folder, name);
    const loaded = loadItem(file);
    if ('problems' in loaded) problems.push(...loaded.problems.map((problem) => `${file}: ${problem}`));
    else items.push(loaded.item);
  }
  if (problems.length) throw new CatalogError(folder, problems);
  return items.sort(byCatalogOrder);
}

/** A catalog that cannot be loaded; `problems` are "file: field: what to fix" lines. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  constructor(
    folder: string,
    readonly problems: string[],
  ) {
    super(`the service catalog in ${folder} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function loadItem(file: string): { item: CatalogItem } | { problems: string[] } {
  const base = path.basename(file);
  if (base.endsWith('.yml')) return { problems: ['rename the file to end in .yaml'] };
  const id = base.slice(0, -'.yaml'.length);
  if (!CATALOG_ITEM_ID.test(id) || id.length > CATALOG_ITEM_ID_MAX) {
    return { problems: [`rename the file: its name is the item's id, which uses lower-case letters, digits and single dashes (at most ${CATALOG_ITEM_ID_MAX}), like vpn-access.yaml`] };
  }
  const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (document.errors.length) return { problems: document.errors.map((error) => `not valid YAML: ${error.message.split('\n')[0]!.replace(/:$/, '')}`) };
  const parsed = itemFile.safeParse(document.toJS(), { reportInput: true });
  if (!parsed.success) return { problems: parsed.error.issues.map(describeIssue) };
  return { item: { id, ...parsed.data } };
}

const GROUP_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const groupName = z.string({ error: 'must be a group name' }).regex(GROUP_NAME, 'must be a group name: lower-case letters, digits, dots, dashes or underscores');
const userName = z.string({ error: 'must be a user name' }).regex(GROUP_NAME, 'must be a user name: lower-case letters, digits, dots, dashes or underscores');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const approvers = z.union(
  [
    z.literal('manager'),
    z.literal('manager_of_manager'),
    z.strictObject({ users: z.array(userName).min(1, 'name at least one user') }),
    z.strictObject({ group: groupName }),
  ],
  { error: "must be 'manager', 'manager_of_manager', { users: [user names] } or { group: group name }" },
);

const mode = z
  .union(
    [
      z.literal('any'),
      z.literal('all'),
      z.strictObject({ percentage: z.number().gt(0, 'must be above 0').max(100, 'must be at most 100') }),
      z.strictObject({ at_least: z.int().min(1, 'must be 1 or more') }),
    ],
    { error: "must be 'any', 'all', { percentage: N } (N above 0, at most 100) or { at_least: N } (a whole number, 1 or more)" },
  )
  .transform((value): ApprovalMode => {
    if (value === 'any' || value === 'all') return { type: value };
    return 'percentage' in value ? { type: 'percentage', percent: value.percentage } : { type: 'at_least', count: value.at_least };
  });

const DURATION_HINT = "must be a duration like '2d', '4h' or '1d 12h': whole numbers with units d h m s, in that order";
const duration = z.string({ error: DURATION_HINT }).check((ctx) => {
  let ms: number;
  try {
    ms = parseDuration(ctx.value);
  } catch {
    ctx.issues.push({ code: 'custom', message: DURATION_HINT, input: ctx.value });
    return;
  }
  if (ms <= 0) ctx.issues.push({ code: 'custom', message: 'must be longer than 0', input: ctx.value });
});

const approvalLevel = z
  .strictObject({
    name: text(100),
    approvers,
    mode: mode.default({ type: 'any' }),
    rejectWhen: z.enum(['any_rejection', 'quorum_impossible'], { error: "must be 'any_rejection' (the first rejection decides) or 'quorum_impossible' (rejected once approval is out of reach)" }).optional(),
    due: duration.optional(),
    onDue: z.enum(['approve', 'reject', 'escalate'], { error: "must be 'approve', 'reject' or 'escalate'" }).optional(),
    escalateTo: approvers.optional(),
  })
  .check((ctx) => {
    // Rules across fields assume each field is well formed; until then its own message says more.
    if (ctx.issues.length > 0) return;
    for (const issue of approvalLevelIssues(ctx.value)) {
      ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path.split('.'), input: ctx.value });
    }
  });

/** Absent, or no levels: the request needs no approval. */
const approval = z
  .strictObject({
    levels: z
      .array(approvalLevel)
      .max(10, 'list at most 10 levels')
      .default([])
      .check((ctx) => {
        const seen = new Set<string>();
        ctx.value.forEach((level, i) => {
          if (seen.has(level.name)) ctx.issues.push({ code: 'custom', message: `another level is already called '${level.name}'; give each level its own name`, path: [i, 'name'], input: ctx.value });
          seen.add(level.name);
        });
      }),
  })
  .default({ levels: [] });

const fulfilment = z.strictObject({
  group: groupName,
  tasks: z.array(z.strictObject({ title: text(200), group: groupName })).min(1, 'list at least one task, each with a title and the group that does it'),
});

/** The form is checked by the domain's own rules, so the loader and the API agree on what a form is. */
const form = z.unknown().check((ctx) => {
  for (const issue of formSchemaIssues(ctx.value)) {
    ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path ? issue.path.split('.') : [], input: ctx.value });
  }
});

const itemFile = z.strictObject({
  name: text(100),
  category: text(60),
  description: text(4000),
  keywords: z.array(text(40)).max(30, 'list at most 30 keywords').default([]),
  /** The position in listings, lower first. */
  order: z.int(),
  form: form.transform((value) => value as FormSchema),
  approval,
  fulfilment,
});

/** One schema issue as "path: what to fix", in words a catalog author understands. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${messageOf(issue)}` : messageOf(issue);
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    if (issue.path.length === 0 && issue.keys.includes('id')) return "remove 'id': an item's id is its file name";
    if (issue.path.length === 1 && issue.path[0] === 'approval' && issue.keys.some((key) => ['required', 'approvers', 'mode'].includes(key))) {
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}: approval now lists its levels, e.g. approval: { levels: [{ name: Manager, approvers: manager }] }; leave approval out when none is needed`;
    }
    return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}: remove ${issue.keys.length === 1 ? 'it' : 'them'} or check the spelling`;
  }
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is missing';
    if (issue.path.length === 0) return issue.input === null ? 'the file is empty; an item needs name, category, description, form, fulfilment and order, and approval if it needs one' : 'the file must be a YAML mapping of name, category, description, form, approval, fulfilment and order';
    return `must be ${article(issue.expected)}, not ${kindOf(issue.input)}`;
  }
  return issue.message;
}

function article(expected: string): string {
  const words: Record<string, string> = { array: 'a list', object: 'a mapping', int: 'a whole number', boolean: 'true or false' };
  return words[expected] ?? `a ${expected}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { type AssignmentRule, wordsOf } from '../../domain/assignment';
import type { Priority } from '../../domain/priority';
import { TICKET_PREFIX, type TicketKind } from '../../domain/ticketNumber';

/** Where the assignment rules live inside a catalog folder. */
export const ASSIGNMENT_RULES_FILE = path.join('assignment', 'rules.yaml');

export class AssignmentCatalogError extends Error {
  override readonly name = 'AssignmentCatalogError';
}

const PRIORITIES: [Priority, ...Priority[]] = ['P1', 'P2', 'P3', 'P4', 'P5'];
const KINDS = Object.keys(TICKET_PREFIX) as [TicketKind, ...TicketKind[]];

// An empty list would silently never match; leaving the condition out is how to say "any".
const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1, 'must list at least one value, or be left out to mean "any"').optional();
const text = z.string().trim().min(1, 'must not be empty');

const conditions = z.strictObject({
  kinds: nonEmptyList(z.enum(KINDS)),
  categories: nonEmptyList(text),
  services: nonEmptyList(text),
  ciOwnerGroups: nonEmptyList(text),
  priorities: nonEmptyList(z.enum(PRIORITIES)),
  titleWords: nonEmptyList(text.refine((w) => wordsOf(w).length > 0, 'must contain a letter or digit')),
});

const rule = z.strictObject({
  // Recorded on every assignment the rule makes and shown in the timeline: keep it plain.
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - and _ (at most 63), e.g. network-words'),
  when: conditions.default({}),
  assign: z.strictObject({
    group: text,
    // A user name, or 'least_loaded'.
    assignee: text.optional(),
  }),
});
const file = z.strictObject({ rules: z.array(rule).default([]) });

/**
 * Reads `<dir>/assignment/rules.yaml` (no file: no rules). The order of the list is the
 * order rules are tried in. A mistake throws, naming the file, the rule (index and name)
 * and the field.
 */
export function loadAssignmentRules(dir: string): AssignmentRule[] {
  const filePath = path.join(dir, ASSIGNMENT_RULES_FILE);
  if (!fs.existsSync(filePath)) return [];
  const shown = path.relative(process.cwd(), filePath) || filePath;

  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw new AssignmentCatalogError(`${shown}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = file.safeParse(raw ?? {});
  if (!parsed.success) {
    const entries = (raw as { rules?: unknown } | null)?.rules;
    const lines = parsed.error.issues.map(
      (issue) => `  ${fieldOf(issue.path, entries)}: ${issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message}`,
    );
    throw new AssignmentCatalogError(`${shown} is invalid:\n${lines.join('\n')}`);
  }

  const seen = new Set<string>();
  for (const [index, { name }] of parsed.data.rules.entries()) {
    // The name explains an assignment later; two rules with one name would make that ambiguous.
    if (seen.has(name)) throw new AssignmentCatalogError(`${shown}: rules[${index}] (${name}).name: another rule already has this name`);
    seen.add(name);
  }
  return parsed.data.rules;
}

/** `rules[1] (network-words).when.kinds[0]` for zod's ['rules', 1, 'when', 'kinds', 0]. */
function fieldOf(issuePath: PropertyKey[], entries: unknown): string {
  const [top, index, ...rest] = issuePath;
  const tail = rest.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  if (top !== 'rules' || typeof index !== 'number') return issuePath.map(String).join('.') || '(file)';
  const name = Array.isArray(entries) ? (entries[index] as { name?: unknown } | undefined)?.name : undefined;
  return `rules[${index}]${typeof name === 'string' ? ` (${name})` : ''}${tail}`;
}

/**
 * Explicit targets: a trigger (a person, a schedule, an alert) may name the CIs a run is
 * for, but only among those the runbook's own selector selects. A trigger can narrow a
 * runbook, never widen it. docs/automation-triggers.md#explicit-targets.
 */

import type { CiRecord } from '../cmdb/graph';
import { checkSelector, select, type Selector, type SelectorContext } from '../cmdb/selector';

/** The most CI ids one request may name. */
export const MAX_EXPLICIT_TARGETS = 10_000;

/**
 * The runbook's selector limited to `ids`. In a selector, `ids` is one more condition
 * beside the others (class, where, tags, relations), so setting it is an AND; a selector
 * that already lists ids keeps only those in both lists.
 */
export function narrowedSelector(selector: Selector, ids: readonly string[] | undefined): Selector {
  if (ids === undefined) return selector;
  const listed = selector.ids && new Set(selector.ids);
  return { ...selector, ids: distinctTargets(listed ? ids.filter((id) => listed.has(id)) : ids) };
}

/** The ids in order of first mention, without repeats. */
export function distinctTargets(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/**
 * The CIs a run is for, in name order: the runbook's selector narrowed by the explicit
 * targets, over the CMDB as it stands. `problem` when the selector no longer fits the
 * model (a class or attribute was removed since the runbook was published).
 */
export function runTargets(selector: Selector, targetIds: readonly string[] | undefined, ctx: SelectorContext): { cis: CiRecord[] } | { problem: string } {
  const issues = checkSelector(selector, ctx.model);
  if (issues.length) return { problem: `the target selector no longer fits the CMDB model: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}` };
  return { cis: [...select(narrowedSelector(selector, targetIds), ctx)].map((id) => ctx.graph.ci(id)!).sort(byName) };
}

export const targetName = (ci: CiRecord) => (typeof ci.attributes.name === 'string' ? ci.attributes.name : ci.id);
const byName = (a: CiRecord, b: CiRecord) => targetName(a).localeCompare(targetName(b)) || (a.id < b.id ? -1 : 1);

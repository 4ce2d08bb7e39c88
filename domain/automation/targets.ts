/**
 * Explicit targets: a trigger (a person, a schedule, an alert) may name the CIs a run is
 * for, but only among those the runbook's own selector selects. A trigger can narrow a
 * runbook, never widen it. docs/automation-triggers.md#explicit-targets.
 */

import type { Selector } from '../cmdb/selector';

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

/**
 * Reconciliation: when a source (discovery over SSH or SNMP, an import, a sync from
 * another inventory) reports values for a CI that already has values from other sources,
 * each attribute's source priority decides. A source may overwrite a value when it ranks
 * at least as high as the source that set it; a source not in the list never overwrites a
 * listed one. Refused differences are kept as conflicts, so people see where sources
 * disagree (manual "owner group" beats SNMP; SSH facts beat manual for "os_version").
 */

import { type Attributes, type AttributeValue } from './attributes';
import type { ResolvedClass, ResolvedModel } from './model';

export interface ReconcileConflict {
  attribute: string;
  kept: AttributeValue;
  keptSource: string;
  offered: AttributeValue;
  offeredSource: string;
}

export interface Reconciled {
  /** The attributes to write (only those the source may set and that differ). */
  changes: Record<string, AttributeValue>;
  conflicts: ReconcileConflict[];
}

/** Lower is stronger; a source not listed ranks below every listed one. */
function rank(priority: readonly string[], source: string | undefined): number {
  if (source === undefined) return Number.POSITIVE_INFINITY;
  const index = priority.indexOf(source);
  return index === -1 ? priority.length : index;
}

export function mayOverwrite(priority: readonly string[], current: string | undefined, incoming: string): boolean {
  if (current === undefined || current === incoming) return true;
  const mine = rank(priority, incoming);
  const theirs = rank(priority, current);
  // Two unlisted sources: the newer report wins, as neither is trusted over the other.
  return mine <= theirs;
}

const same = (a: AttributeValue | undefined, b: AttributeValue | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Which of `offered` (already validated, from `source`) may change the CI's `current`
 * attributes, given who set each of them (`sources`).
 */
export function reconcile(model: ResolvedModel, cls: ResolvedClass, current: Attributes, sources: Record<string, string>, offered: Record<string, AttributeValue>, source: string): Reconciled {
  const result: Reconciled = { changes: {}, conflicts: [] };
  for (const [attribute, value] of Object.entries(offered)) {
    const spec = cls.attributes[attribute];
    if (!spec || same(current[attribute], value)) continue;
    const priority = spec.sourcePriority ?? model.sourcePriority;
    const empty = current[attribute] === null || current[attribute] === undefined || (Array.isArray(current[attribute]) && (current[attribute] as unknown[]).length === 0);
    if (empty || mayOverwrite(priority, sources[attribute], source)) result.changes[attribute] = value;
    else result.conflicts.push({ attribute, kept: current[attribute]!, keptSource: sources[attribute]!, offered: value, offeredSource: source });
  }
  return result;
}

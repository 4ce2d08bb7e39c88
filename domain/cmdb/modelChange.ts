/**
 * What a change to the model would do to the CIs already stored: before a cmdb admin adds
 * a required attribute or narrows an enum, they see how many CIs would stop fitting.
 */

import { validateAttributes } from './attributes';
import type { CiRecord } from './graph';
import type { ResolvedModel } from './model';

export interface ModelChangeReport {
  checked: number;
  violations: number;
  /** The first few CIs that would not fit, with why. */
  examples: Array<{ id: string; name: string | null; errors: Array<{ field: string; message: string }> }>;
}

/** Checks every CI of `className` and its subclasses (as defined in `after`) against `after`. */
export function classChangeReport(after: ResolvedModel, className: string, cis: Iterable<CiRecord>, maxExamples = 10): ModelChangeReport {
  const affected = after.descendants.get(className) ?? new Set([className]);
  const report: ModelChangeReport = { checked: 0, violations: 0, examples: [] };
  for (const ci of cis) {
    if (!affected.has(ci.class)) continue;
    report.checked++;
    const cls = after.classes.get(ci.class)!;
    // Stored values are checked as they are: what a new attribute's default would fill in is not a violation.
    const present = Object.fromEntries(Object.entries(ci.attributes).filter(([name, value]) => cls.attributes[name] || (value !== null && !(Array.isArray(value) && value.length === 0))));
    const { errors } = validateAttributes(cls, present);
    if (errors.length === 0) continue;
    report.violations++;
    if (report.examples.length < maxExamples) report.examples.push({ id: ci.id, name: typeof ci.attributes.name === 'string' ? ci.attributes.name : null, errors: errors.map((e) => ({ field: `attributes.${e.attribute}`, message: e.message })) });
  }
  return report;
}

/** Field-level before/after of what changed (secrets are redacted by the audit store). */
export function diffOf(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { before?: unknown; after?: unknown }> {
  const diff: Record<string, { before?: unknown; after?: unknown }> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === 'updatedAt' || after[key] === undefined) continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) diff[key] = { before: before[key], after: after[key] };
  }
  return diff;
}

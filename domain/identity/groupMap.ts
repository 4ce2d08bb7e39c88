/** Maps external (directory or identity-provider) groups to FlowDesk groups; unmapped ones are dropped. */
export function mapGroups(external: readonly string[], groupMap: Readonly<Record<string, string>>): string[] {
  return [...new Set(external.flatMap((g) => (Object.hasOwn(groupMap, g) ? [groupMap[g]!] : [])))].sort();
}

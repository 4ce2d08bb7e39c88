/**
 * The summary line of a threshold alert: text with `{{field}}` placeholders from a fixed
 * list, checked when the rules load, so a typo is an error at start rather than a blank in
 * every ticket title. Deliberately not Handlebars: no helpers, no logic, nothing to escape.
 */

export const TEMPLATE_FIELDS = {
  name: "the rule's alert name",
  ci: "the CI's name",
  instance: "the interface or mount point ('' for the device)",
  instance_suffix: "' <instance>' when there is one, else ''",
  metric: 'the metric name',
  value: 'the value that breached, with its unit',
  limit: 'the limit, with its unit',
  clear: 'the clear limit, with its unit',
  op: 'the comparison (>, >=, <, <=)',
  for: 'the hold time as written',
  severity: "the rule's severity",
} as const;

export type TemplateField = keyof typeof TEMPLATE_FIELDS;

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/g;

export function templateProblems(template: string): string[] {
  const unknown = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !Object.hasOwn(TEMPLATE_FIELDS, name));
  return unknown.length ? [`unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `{{${n}}}`).join(', ')}; use ${Object.keys(TEMPLATE_FIELDS).map((n) => `{{${n}}}`).join(', ')}`] : [];
}

export function renderTemplate(template: string, values: Record<TemplateField, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name as TemplateField] : whole));
}

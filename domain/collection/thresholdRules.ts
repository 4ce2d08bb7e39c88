/**
 * Threshold rules as data (catalog/rules/thresholds.yaml, docs/alerts-collection.md#thresholds):
 * which metric, against which limit and clear limit, held how long, on which CIs and
 * instances, and the alert a breach becomes. Validation names every problem by its path.
 */

import { SEVERITIES, type Severity } from '../alert/alert';
import { cachedPattern, MatcherSyntaxError } from '../alert/matchers';
import { checkSelector, type Selector } from '../cmdb/selector';
import type { ResolvedModel } from '../cmdb/model';
import { parseDuration } from '../sla/policy';
import { isMetricName, METRIC_NAMES, METRICS, type MetricName } from './metrics';
import { COMPARISONS, type Comparison, type Limits } from './threshold';
import { templateProblems } from './template';

export interface ThresholdRule extends Limits {
  id: string;
  /** The alert's name (alertname). */
  name: string;
  description: string;
  metric: MetricName;
  /** The hold times as written (`5m`), for the alert's annotations and the docs. */
  for: string;
  clearFor: string;
  severity: Severity;
  /** An RE2 pattern the instance (interface, mount point) must match whole; null: every instance. */
  instance: string | null;
  /** The CIs the rule watches (a CMDB selector); null: every CI a polling job polls. */
  cis: Selector | null;
  /** Added to the alert's labels (routing, silences, group keys). */
  labels: Record<string, string>;
  /** The alert's summary: `{{ci}}`, `{{instance}}`, `{{value}}`, `{{limit}}`, … (template.ts). */
  summary: string;
}

export interface RuleProblem {
  path: string;
  message: string;
}

const FIELDS = ['id', 'name', 'description', 'metric', 'op', 'limit', 'clear', 'for', 'clearFor', 'severity', 'instance', 'cis', 'labels', 'summary'];
/** Labels the alert always has, which a rule may not override. */
export const THRESHOLD_LABELS = ['alertname', 'rule', 'metric', 'instance', 'ci', 'severity'] as const;
export const DEFAULT_SUMMARY = '{{name}} on {{ci}}{{instance_suffix}}: {{metric}} {{value}} {{op}} {{limit}}';

/** Checks the rules file's content; `model` checks the `cis` selectors (the catalog's CMDB model at start). */
export function validateThresholdRules(input: unknown, model?: ResolvedModel): { ok: true; rules: ThresholdRule[] } | { ok: false; problems: RuleProblem[] } {
  const list = isObject(input) ? input.thresholds : undefined;
  if (!Array.isArray(list)) return { ok: false, problems: [{ path: 'thresholds', message: 'must be a list of threshold rules' }] };
  const problems: RuleProblem[] = [];
  const rules: ThresholdRule[] = [];
  const seen = new Set<string>();
  list.forEach((item: unknown, i) => {
    const rule = readRule(item, `thresholds[${i}]`, problems, model);
    if (!rule) return;
    if (seen.has(rule.id)) problems.push({ path: `thresholds[${i}].id`, message: `a second rule '${rule.id}'; ids must be unique` });
    seen.add(rule.id);
    rules.push(rule);
  });
  return problems.length ? { ok: false, problems } : { ok: true, rules };
}

function readRule(item: unknown, path: string, problems: RuleProblem[], model?: ResolvedModel): ThresholdRule | null {
  if (!isObject(item)) {
    problems.push({ path, message: 'must be a rule: { id, metric, op, limit, clear?, for?, clearFor?, severity, instance?, cis?, labels?, summary? }' });
    return null;
  }
  const before = problems.length;
  const problem = (field: string, message: string) => problems.push({ path: `${path}.${field}`, message });
  for (const key of Object.keys(item)) if (!FIELDS.includes(key)) problem(key, `unknown field; a threshold rule has ${FIELDS.join(', ')}`);
  if (typeof item.id !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(item.id)) problem('id', 'must be a lowercase id such as cpu-high');
  const name = item.name ?? item.id;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_:.-]{0,127}$/.test(name)) problem('name', 'must be an alert name such as HighCpuLoad (letters, digits, _ : . -)');
  if (!isMetricName(item.metric)) problem('metric', `must be one of ${METRIC_NAMES.join(', ')}`);
  if (!COMPARISONS.includes(item.op as Comparison)) problem('op', `must be one of ${COMPARISONS.map((c) => `'${c}'`).join(', ')} (the breach is: value <op> limit)`);
  if (typeof item.limit !== 'number' || !Number.isFinite(item.limit)) problem('limit', 'must be a number');
  const clear = item.clear ?? item.limit;
  if (typeof clear !== 'number' || !Number.isFinite(clear)) problem('clear', 'must be a number (the value at which a firing alert clears)');
  else if (typeof item.limit === 'number' && COMPARISONS.includes(item.op as Comparison)) {
    const above = item.op === '>' || item.op === '>=';
    if (above ? clear > item.limit : clear < item.limit) problem('clear', `must be on the safe side of the limit: ${above ? 'at most' : 'at least'} ${item.limit} for '${String(item.op)}' (hysteresis: clear below the limit for a rule about high values)`);
  }
  const forMs = duration(item.for ?? '0s', 'for', problem);
  const clearForMs = duration(item.clearFor ?? item.for ?? '0s', 'clearFor', problem);
  if (!SEVERITIES.includes(item.severity as Severity)) problem('severity', `must be one of ${SEVERITIES.join(', ')}`);
  if (item.instance !== undefined && item.instance !== null) {
    if (typeof item.instance !== 'string') problem('instance', 'must be a regular expression (RE2) the instance matches whole, such as "/|/var"');
    else {
      try {
        cachedPattern(item.instance);
      } catch (error) {
        if (!(error instanceof MatcherSyntaxError)) throw error;
        problem('instance', error.message);
      }
    }
  }
  if (item.cis !== undefined && item.cis !== null) {
    if (!isObject(item.cis)) problem('cis', 'must be a CMDB selector such as { class: host, where: { environment: prod } }');
    else if (model) for (const issue of checkSelector(item.cis, model, `${path}.cis`)) problems.push(issue);
  }
  const labels = item.labels ?? {};
  if (!isObject(labels) || !Object.entries(labels).every(([k, v]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && typeof v === 'string')) problem('labels', 'must map label names (letters, digits, _) to text');
  else for (const reserved of THRESHOLD_LABELS) if (reserved in labels) problem(`labels.${reserved}`, `'${reserved}' is set by the rule itself`);
  const summary = item.summary ?? DEFAULT_SUMMARY;
  if (typeof summary !== 'string' || !summary.trim()) problem('summary', 'must be a line of text');
  else for (const message of templateProblems(summary)) problem('summary', message);
  if (problems.length > before) return null;
  return {
    id: item.id as string,
    name: name as string,
    description: typeof item.description === 'string' ? item.description : '',
    metric: item.metric as MetricName,
    op: item.op as Comparison,
    limit: item.limit as number,
    clear: clear as number,
    for: (item.for as string | undefined) ?? '0s',
    clearFor: (item.clearFor as string | undefined) ?? (item.for as string | undefined) ?? '0s',
    forMs: forMs!,
    clearForMs: clearForMs!,
    severity: item.severity as Severity,
    instance: (item.instance as string | undefined) ?? null,
    cis: (item.cis as Selector | undefined) ?? null,
    labels: labels as Record<string, string>,
    summary: summary as string,
  };
}

/** Whether the rule watches this metric on this instance (the CI is checked by the caller, against the CMDB). */
export function ruleWatches(rule: ThresholdRule, metric: MetricName, instance: string): boolean {
  return rule.metric === metric && (rule.instance === null || cachedPattern(rule.instance).test(instance));
}

export const unitOf = (rule: ThresholdRule) => METRICS[rule.metric].unit;

function duration(value: unknown, field: string, problem: (field: string, message: string) => void): number | null {
  try {
    if (typeof value !== 'string') throw new Error('not text');
    return parseDuration(value);
  } catch {
    problem(field, "must be a duration such as '0s', '5m' or '1h 30m'");
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

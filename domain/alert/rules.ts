/**
 * Alert rules (catalog/rules/alert-rules.yaml, docs/alerts-correlation.md): which alerts a
 * rule takes, how they are grouped, and what the group does — hold, open an incident,
 * remediate, close the loop. The first rule whose matchers hold takes the alert.
 */

import { parseDuration } from '../sla/policy';
import { SEVERITIES, type Severity, severityRank } from './alert';
import { type Matcher, matchesAll, matcherProblems, parseMatchers } from './matchers';
import { sha256Hex } from './fingerprint';
import { MatcherSyntaxError } from './syntaxError';

/** What a group key is made of: a label's value, the CI, or the CI's most critical application. */
export type GroupPart = `labels.${string}` | 'ci' | 'application' | 'source';

export type ResolvePolicy = 'all' | 'first' | 'last' | 'remediation';

export interface IncidentPolicy {
  /** Group to assign when the CI has no owner group. */
  fallbackGroup: string | null;
  /** A re-fire within this long of the incident's resolution reopens it instead of opening a new one. */
  reopenWithin: string;
}

export interface RemediationPolicy {
  runbook: string;
  /** Handlebars templates over the alert (labels, annotations, ci, context). */
  params: Record<string, string>;
  /** At most this many runs per group… */
  maxRuns: number;
  /** …within this long. */
  per: string;
  /** After a successful run, how long the alerts have to clear before the incident resolves. */
  verifyWithin: string;
}

/** Topology correlation (domain/alert/topology.ts): alerts on CIs that depend on each other share a group. */
export interface TopologyPolicy {
  /** How many relations away a failure is followed in the impact traversal. */
  depth: number;
}

export interface AlertRule {
  id: string;
  description: string;
  matchers: Matcher[];
  /** Lowest severity the rule acts on (default info: all). */
  minSeverity: Severity;
  groupBy: GroupPart[];
  /** An alert joins the group if it comes within this long of the group's latest alert; later, a new group starts. */
  groupWindow: string;
  /** How long the first alert must keep firing before the group acts (a flap guard, like Prometheus' `for`). */
  holdFor: string;
  /** Open (or join) an incident; null: only track the group. */
  incident: IncidentPolicy | null;
  remediation: RemediationPolicy | null;
  /** When the incident resolves by itself. */
  resolve: ResolvePolicy;
  /** Join alerts on dependent CIs across group keys; null: group by key only. */
  topology: TopologyPolicy | null;
}

export interface RuleAlert {
  labels: Readonly<Record<string, string>>;
  severity: Severity;
  source: string;
  ciId: string | null;
  application: string | null;
}

/** The rule that takes the alert: the first whose matchers hold and whose minimum severity it reaches. */
export function ruleFor(alert: RuleAlert, rules: readonly AlertRule[]): AlertRule | null {
  return rules.find((r) => severityRank(alert.severity) >= severityRank(r.minSeverity) && matchesAll(r.matchers, alert.labels)) ?? null;
}

/** The values the group key is made of; a missing part is '' (alerts without a CI group together). */
export function groupParts(rule: AlertRule, alert: RuleAlert): string[] {
  return rule.groupBy.map((part) => {
    if (part === 'ci') return alert.ciId ?? '';
    if (part === 'application') return alert.application ?? '';
    if (part === 'source') return alert.source;
    return alert.labels[part.slice('labels.'.length)] ?? '';
  });
}

/**
 * The group key: the rule and a digest of its parts, `<rule>/<16 hex>`, so alerts with the
 * same parts under the same rule share one group whatever the parts' length or characters.
 */
export function groupKey(rule: AlertRule, alert: RuleAlert): string {
  return `${rule.id}/${sha256Hex(JSON.stringify(groupParts(rule, alert))).slice(0, 16)}`;
}

// ---------------------------------------------------------------- validation

const RULE_FIELDS = ['id', 'description', 'match', 'minSeverity', 'groupBy', 'groupWindow', 'holdFor', 'incident', 'remediation', 'resolve', 'topology'];
const RESOLVE: readonly ResolvePolicy[] = ['all', 'first', 'last', 'remediation'];

export type RuleProblem = { path: string; message: string };

/** Checks rules given as data; returns them with defaults applied, or every problem by path. */
export function validateAlertRules(input: unknown): { ok: true; rules: AlertRule[] } | { ok: false; problems: RuleProblem[] } {
  const list = isObject(input) ? input.rules : undefined;
  if (!Array.isArray(list) || list.length === 0) return { ok: false, problems: [{ path: 'rules', message: 'must be a non-empty list of rules' }] };
  const problems: RuleProblem[] = [];
  const rules: AlertRule[] = [];
  const seen = new Set<string>();
  list.forEach((item: unknown, i) => {
    const rule = readRule(item, `rules[${i}]`, problems);
    if (!rule) return;
    if (seen.has(rule.id)) problems.push({ path: `rules[${i}].id`, message: `a second rule '${rule.id}'; ids must be unique` });
    seen.add(rule.id);
    rules.push(rule);
  });
  return problems.length ? { ok: false, problems } : { ok: true, rules };
}

function readRule(item: unknown, path: string, problems: RuleProblem[]): AlertRule | null {
  if (!isObject(item)) {
    problems.push({ path, message: 'must be a rule: { id, match, groupBy, groupWindow, holdFor, incident?, remediation?, resolve? }' });
    return null;
  }
  const before = problems.length;
  for (const key of Object.keys(item)) if (!RULE_FIELDS.includes(key)) problems.push({ path: `${path}.${key}`, message: `unknown field; a rule has ${RULE_FIELDS.join(', ')}` });
  if (typeof item.id !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(item.id)) problems.push({ path: `${path}.id`, message: 'must be a lowercase id such as node-down' });
  const matchers = readMatch(item.match, `${path}.match`, problems);
  const minSeverity = item.minSeverity ?? 'info';
  if (!SEVERITIES.includes(minSeverity as Severity)) problems.push({ path: `${path}.minSeverity`, message: `must be one of ${SEVERITIES.join(', ')}` });
  const groupBy = item.groupBy ?? [];
  if (!Array.isArray(groupBy) || !groupBy.every((p) => typeof p === 'string' && /^(labels\.[A-Za-z_][A-Za-z0-9_]*|ci|application|source)$/.test(p))) {
    problems.push({ path: `${path}.groupBy`, message: 'must be a list of labels.<name>, ci, application or source' });
  }
  for (const key of ['groupWindow', 'holdFor'] as const) duration(item[key] ?? (key === 'holdFor' ? '0s' : undefined), `${path}.${key}`, problems, key === 'holdFor');
  const incident = item.incident === undefined || item.incident === null ? null : readIncident(item.incident, `${path}.incident`, problems);
  const remediation = item.remediation === undefined || item.remediation === null ? null : readRemediation(item.remediation, `${path}.remediation`, problems);
  const resolve = (item.resolve ?? 'all') as ResolvePolicy;
  if (!RESOLVE.includes(resolve)) problems.push({ path: `${path}.resolve`, message: `must be one of ${RESOLVE.join(', ')}` });
  if (resolve === 'remediation' && item.remediation == null) problems.push({ path: `${path}.resolve`, message: "'remediation' needs a remediation to verify" });
  const topology = item.topology === undefined || item.topology === null || item.topology === false ? null : readTopology(item.topology, `${path}.topology`, problems);
  if (problems.length > before || !matchers) return null;
  return {
    id: item.id as string,
    description: typeof item.description === 'string' ? item.description : '',
    matchers,
    minSeverity: minSeverity as Severity,
    groupBy: groupBy as GroupPart[],
    groupWindow: item.groupWindow as string,
    holdFor: (item.holdFor as string | undefined) ?? '0s',
    incident,
    remediation,
    resolve,
    topology,
  };
}

const DEFAULT_TOPOLOGY_DEPTH = 4;

function readTopology(input: unknown, path: string, problems: RuleProblem[]): TopologyPolicy | null {
  if (input === true) return { depth: DEFAULT_TOPOLOGY_DEPTH };
  if (!isObject(input) || Object.keys(input).some((k) => k !== 'depth') || (input.depth !== undefined && !(Number.isInteger(input.depth) && (input.depth as number) >= 1 && (input.depth as number) <= 10))) {
    problems.push({ path, message: 'must be true or { depth } with depth a whole number from 1 to 10' });
    return null;
  }
  return { depth: (input.depth as number | undefined) ?? DEFAULT_TOPOLOGY_DEPTH };
}

function readMatch(input: unknown, path: string, problems: RuleProblem[]): Matcher[] | null {
  if (input === undefined || input === '' || input === '{}') return [];
  if (typeof input === 'string') {
    try {
      return parseMatchers(input);
    } catch (error) {
      if (!(error instanceof MatcherSyntaxError)) throw error;
      problems.push({ path, message: error.message });
      return null;
    }
  }
  if (Array.isArray(input)) {
    const found = input.flatMap((m, i) => matcherProblems(m, `${path}[${i}]`));
    problems.push(...found);
    return found.length ? null : (input as Matcher[]);
  }
  problems.push({ path, message: 'must be matchers in Alertmanager syntax, e.g. {severity=~"critical|major"}' });
  return null;
}

function readIncident(input: unknown, path: string, problems: RuleProblem[]): IncidentPolicy | null {
  if (input === true) return { fallbackGroup: null, reopenWithin: '1h' };
  if (!isObject(input)) {
    problems.push({ path, message: 'must be true or { fallbackGroup?, reopenWithin? }' });
    return null;
  }
  for (const key of Object.keys(input)) if (!['fallbackGroup', 'reopenWithin'].includes(key)) problems.push({ path: `${path}.${key}`, message: 'unknown field; incident has fallbackGroup and reopenWithin' });
  if (input.fallbackGroup !== undefined && typeof input.fallbackGroup !== 'string') problems.push({ path: `${path}.fallbackGroup`, message: 'must be a group name' });
  const reopenWithin = (input.reopenWithin as string | undefined) ?? '1h';
  duration(reopenWithin, `${path}.reopenWithin`, problems, true);
  return { fallbackGroup: (input.fallbackGroup as string | undefined) ?? null, reopenWithin };
}

function readRemediation(input: unknown, path: string, problems: RuleProblem[]): RemediationPolicy | null {
  if (!isObject(input)) {
    problems.push({ path, message: 'must be { runbook, params?, maxRuns?, per?, verifyWithin? }' });
    return null;
  }
  for (const key of Object.keys(input)) if (!['runbook', 'params', 'maxRuns', 'per', 'verifyWithin'].includes(key)) problems.push({ path: `${path}.${key}`, message: 'unknown field; remediation has runbook, params, maxRuns, per and verifyWithin' });
  if (typeof input.runbook !== 'string' || !input.runbook) problems.push({ path: `${path}.runbook`, message: 'must name a runbook' });
  const params = input.params ?? {};
  if (!isObject(params) || !Object.values(params).every((v) => typeof v === 'string')) problems.push({ path: `${path}.params`, message: 'must map parameter names to templates (text)' });
  const maxRuns = input.maxRuns ?? 3;
  if (!Number.isInteger(maxRuns) || (maxRuns as number) < 1) problems.push({ path: `${path}.maxRuns`, message: 'must be a whole number of at least 1' });
  const per = (input.per as string | undefined) ?? '1h';
  const verifyWithin = (input.verifyWithin as string | undefined) ?? '5m';
  duration(per, `${path}.per`, problems, false);
  duration(verifyWithin, `${path}.verifyWithin`, problems, false);
  return { runbook: input.runbook as string, params: params as Record<string, string>, maxRuns: maxRuns as number, per, verifyWithin };
}

function duration(value: unknown, path: string, problems: RuleProblem[], zeroAllowed: boolean): void {
  try {
    if (typeof value !== 'string') throw new Error('not text');
    const ms = parseDuration(value);
    if (ms < 0 || (!zeroAllowed && ms === 0)) throw new Error('out of range');
  } catch {
    problems.push({ path, message: `must be a duration${zeroAllowed ? '' : ' above zero'} such as '5m' or '1h 30m'` });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

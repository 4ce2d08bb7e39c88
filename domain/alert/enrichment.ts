/**
 * Enrichment (docs/alerts-enrichment.md): which CI an alert is about, found by rules from
 * its resource hints and labels, and what the CMDB knows around that CI — its applications
 * and business systems (by impact traversal: what fails when the CI fails), owner group,
 * environment, criticality and zone. Pure: the CMDB graph and model are passed in.
 */

import { type CiRecord, type CmdbGraph } from '../cmdb/graph';
import type { ResolvedModel } from '../cmdb/model';
import { impactOf } from '../cmdb/topology';
import type { AlertResource } from './alert';

/** Where a rule reads the value it looks for: a resource hint or a label. */
export type HintSource = `resource.${keyof AlertResource}` | `labels.${string}`;

export interface CiMappingRule {
  from: HintSource;
  /** CI attributes compared with the value (text without case), in order; `id` is the CI id. */
  match: string[];
  /** Only CIs of these classes (and their subclasses); default any. */
  classes?: string[];
  /** Also try the first label of a dotted host name (`db-01.bank.example` → `db-01`). */
  shortName?: boolean;
}

export interface EnrichmentRules {
  /** Tried in order; the first that names exactly one CI wins. */
  ciMapping: CiMappingRule[];
  /** How many relations the traversal to applications and business systems follows. */
  depth: number;
}

export const CRITICALITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export interface CiSummary {
  id: string;
  name: string;
  class: string;
  criticality: Criticality | null;
}

/** What the alert center adds to an alert from the CMDB. */
export interface AlertContext {
  ci: CiSummary;
  /** Which rule found it, and with what value: `resource.ip = 10.20.30.41`. */
  foundBy: string;
  zone: string | null;
  /** Applications that fail or degrade when the CI fails, most critical first. */
  applications: CiSummary[];
  businessSystems: CiSummary[];
  /** The CI's owner group, else its most critical application's, else its business system's. */
  ownerGroup: string | null;
  /** The CI's environment, else its most critical application's. */
  environment: string | null;
  /** The highest of the CI's and its applications' and business systems': what a failure here puts at risk. */
  criticality: Criticality | null;
}

export type CiMatch = { ok: true; ci: CiRecord; foundBy: string } | { ok: false; tried: string[] };

/** The hint values an alert offers, as rules read them. */
export interface HintedAlert {
  labels: Readonly<Record<string, string>>;
  resource: AlertResource;
}

export function hintValue(alert: HintedAlert, from: HintSource): string | undefined {
  const value = from.startsWith('resource.') ? alert.resource[from.slice('resource.'.length) as keyof AlertResource] : alert.labels[from.slice('labels.'.length)];
  return value?.trim() || undefined;
}

/**
 * The CI the alert is about. A rule that finds several CIs is ambiguous and passes to the
 * next one (said in `tried`), rather than picking one at random.
 */
export function findCi(alert: HintedAlert, rules: readonly CiMappingRule[], graph: CmdbGraph, model: ResolvedModel): CiMatch {
  const tried: string[] = [];
  for (const rule of rules) {
    const value = hintValue(alert, rule.from);
    if (!value) continue;
    const values = rule.shortName && value.includes('.') && !/^[\d.]+$/.test(value) ? [value, value.split('.')[0]!] : [value];
    for (const candidate of values) {
      const found = candidates(rule, candidate, graph, model);
      if (found.length === 1) return { ok: true, ci: found[0]!, foundBy: `${rule.from} = ${candidate}` };
      tried.push(`${rule.from} = ${candidate}: ${found.length === 0 ? 'no CI' : `${found.length} CIs (${found.slice(0, 3).map((c) => c.id).join(', ')}${found.length > 3 ? ', …' : ''})`}`);
    }
  }
  return { ok: false, tried };
}

function candidates(rule: CiMappingRule, value: string, graph: CmdbGraph, model: ResolvedModel): CiRecord[] {
  const classes = rule.classes && new Set(rule.classes.flatMap((c) => [...(model.descendants.get(c) ?? [c])]));
  const ids = new Set<string>();
  for (const attribute of rule.match) {
    if (attribute === 'id') {
      if (graph.ci(value)) ids.add(value);
    } else for (const id of graph.idsWhere(attribute, value)) ids.add(id);
  }
  return [...ids]
    .map((id) => graph.ci(id)!)
    .filter((ci) => ci && !ci.deleted && ci.attributes.lifecycle !== 'retired' && (!classes || classes.has(ci.class)))
    .sort((a, b) => a.id.localeCompare(b.id));
}

const rank = (c: Criticality | null) => (c ? CRITICALITIES.length - CRITICALITIES.indexOf(c) : 0);

function summary(ci: CiRecord): CiSummary {
  const criticality = ci.attributes.criticality;
  return { id: ci.id, name: String(ci.attributes.name ?? ci.id), class: ci.class, criticality: CRITICALITIES.includes(criticality as Criticality) ? (criticality as Criticality) : null };
}

const byCriticality = (a: CiSummary, b: CiSummary) => rank(b.criticality) - rank(a.criticality) || a.id.localeCompare(b.id);

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value : null);

/** The context of a found CI. */
export function contextOf(ci: CiRecord, foundBy: string, graph: CmdbGraph, model: ResolvedModel, depth: number): AlertContext {
  const impact = impactOf(graph, model, { failing: [ci.id], depth, highlight: ['application', 'business_system'] });
  const applications = (impact.highlights.application ?? []).map((e) => summary(e.ci)).sort(byCriticality);
  const businessSystems = (impact.highlights.business_system ?? []).map((e) => summary(e.ci)).sort(byCriticality);
  const own = summary(ci);
  const appCis = applications.map((a) => graph.ci(a.id)!);
  const systemCis = businessSystems.map((b) => graph.ci(b.id)!);
  const ownerGroup = [ci, ...appCis, ...systemCis].map((c) => text(c.attributes.owner_group)).find(Boolean) ?? null;
  const environment = [ci, ...appCis].map((c) => text(c.attributes.environment)).find(Boolean) ?? null;
  const criticality = [own, ...applications, ...businessSystems].reduce<Criticality | null>((best, s) => (rank(s.criticality) > rank(best) ? s.criticality : best), null);
  return { ci: own, foundBy, zone: graph.zoneOf(ci), applications, businessSystems, ownerGroup, environment, criticality };
}

/** Checks enrichment rules given as data (catalog/rules/enrichment.yaml). */
export function enrichmentRuleProblems(input: unknown): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [{ path: '', message: 'must be { ciMapping: [...], depth }' }];
  const rules = input as Record<string, unknown>;
  for (const key of Object.keys(rules)) if (!['ciMapping', 'depth'].includes(key)) problems.push({ path: key, message: 'unknown field; enrichment has ciMapping and depth' });
  if (!Number.isInteger(rules.depth) || (rules.depth as number) < 1 || (rules.depth as number) > 20) problems.push({ path: 'depth', message: 'must be a whole number from 1 to 20' });
  if (!Array.isArray(rules.ciMapping) || rules.ciMapping.length === 0) return [...problems, { path: 'ciMapping', message: 'must be a non-empty list of { from, match, classes?, shortName? }' }];
  rules.ciMapping.forEach((rule: unknown, i) => {
    const path = `ciMapping[${i}]`;
    if (typeof rule !== 'object' || rule === null) return problems.push({ path, message: 'must be { from, match, classes?, shortName? }' });
    const r = rule as Record<string, unknown>;
    for (const key of Object.keys(r)) if (!['from', 'match', 'classes', 'shortName'].includes(key)) problems.push({ path: `${path}.${key}`, message: 'unknown field' });
    if (typeof r.from !== 'string' || !/^(resource\.(host|ip|instance|service|component)|labels\.[A-Za-z_][A-Za-z0-9_.-]*)$/.test(r.from)) {
      problems.push({ path: `${path}.from`, message: 'must be resource.host, resource.ip, resource.instance, resource.service, resource.component or labels.<name>' });
    }
    if (!Array.isArray(r.match) || r.match.length === 0 || !r.match.every((m) => typeof m === 'string' && m.length > 0)) problems.push({ path: `${path}.match`, message: 'must be a non-empty list of CI attribute names (or id)' });
    if (r.classes !== undefined && (!Array.isArray(r.classes) || !r.classes.every((c) => typeof c === 'string'))) problems.push({ path: `${path}.classes`, message: 'must be a list of CMDB class names' });
    if (r.shortName !== undefined && typeof r.shortName !== 'boolean') problems.push({ path: `${path}.shortName`, message: 'must be true or false' });
    return undefined;
  });
  return problems;
}

/**
 * Who may run what (issue 6, safety rails): on top of a runbook's `allowedRoles`, each role
 * may be limited to runbooks up to a risk level and to a target scope (environments, zones,
 * applications, owner groups). A caller may run a runbook when one of their allowed roles
 * takes its risk level; each target must be in the scope of one of those roles. Admins
 * are never limited. The policy is catalog data (catalog/automation/run-policy.yaml);
 * docs/automation-safety.md#who-may-run-what.
 */

import { RISK_LEVELS, type RiskLevel } from './runbook';

export interface TargetScope {
  /** CI attribute `environment`. */
  environments?: string[];
  /** The zone the run routes the target to (its own, or its subnet's). */
  zones?: string[];
  /** Applications (name or CI id) the target serves: it is a member, runs one of their instances, or a part of them. */
  applications?: string[];
  /** CI attribute `owner_group`. */
  ownerGroups?: string[];
}

export const SCOPE_DIMENSIONS = ['environments', 'zones', 'applications', 'ownerGroups'] as const;

export interface RoleGrant {
  /** The highest runbook risk level the role may run; default critical (all). */
  maxRisk?: RiskLevel;
  /** Default: every target. */
  scope?: TargetScope;
}

export interface RunPolicy {
  roles: Record<string, RoleGrant>;
}

/** What a scope looks at on a target, read from the CMDB when a run is planned. */
export interface TargetFacts {
  id: string;
  name: string;
  environment: string | null;
  zone: string;
  ownerGroup: string | null;
  /** Names and ids of the applications it serves. */
  applications: string[];
}

/**
 * What a caller's roles let them do with a runbook: refused with the reason, or allowed
 * within `scopes` (null: every target; otherwise a target must be in one of them).
 */
export type RunGrant = { ok: true; scopes: TargetScope[] | null } | { ok: false; reason: string };

export function grantFor(runbook: { id: string; risk: RiskLevel; allowedRoles: readonly string[] }, roles: readonly string[], policy: RunPolicy): RunGrant {
  if (roles.includes('admin')) return { ok: true, scopes: null };
  const allowed = runbook.allowedRoles.filter((role) => roles.includes(role));
  if (!allowed.length) return { ok: false, reason: `runbook ${runbook.id} may be run by ${runbook.allowedRoles.join(', ')} (and admins); your roles are ${roles.join(', ') || 'none'}` };
  const taking = allowed.filter((role) => rank(policy.roles[role]?.maxRisk ?? 'critical') >= rank(runbook.risk));
  if (!taking.length) {
    const limits = allowed.map((role) => `${role} up to ${policy.roles[role]?.maxRisk ?? 'critical'}`).join(', ');
    return { ok: false, reason: `runbook ${runbook.id} is ${runbook.risk} risk; your roles that may run it take runbooks ${limits}` };
  }
  const scopes = taking.map((role) => policy.roles[role]?.scope);
  return { ok: true, scopes: scopes.some((scope) => scope === undefined) ? null : (scopes as TargetScope[]) };
}

const rank = (level: RiskLevel) => RISK_LEVELS.indexOf(level);

/** Why a target is outside a scope ("environment prod is not one of test, dev"), or null when inside. */
export function outsideScope(scope: TargetScope, target: TargetFacts): string | null {
  const miss = (what: string, value: string | null, allowed: string[]) => `${what} ${value ?? '(none)'} is not ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`}`;
  if (scope.environments && !(target.environment !== null && scope.environments.includes(target.environment))) return miss('environment', target.environment, scope.environments);
  if (scope.zones && !scope.zones.includes(target.zone)) return miss('zone', target.zone, scope.zones);
  if (scope.ownerGroups && !(target.ownerGroup !== null && scope.ownerGroups.includes(target.ownerGroup))) return miss('owner group', target.ownerGroup, scope.ownerGroups);
  if (scope.applications && !target.applications.some((app) => scope.applications!.includes(app))) {
    return `it serves ${target.applications.length ? `applications ${target.applications.join(', ')}` : 'no application'}, not ${scope.applications.join(', ')}`;
  }
  return null;
}

/** Targets no scope admits, each with why (the first scope's reason). */
export function targetsOutside(scopes: readonly TargetScope[] | null, targets: readonly TargetFacts[]): Array<{ target: TargetFacts; reason: string }> {
  if (scopes === null) return [];
  const outside: Array<{ target: TargetFacts; reason: string }> = [];
  for (const target of targets) {
    const reasons = scopes.map((scope) => outsideScope(scope, target));
    if (reasons.every((reason) => reason !== null)) outside.push({ target, reason: reasons[0]! });
  }
  return outside;
}

/** "2 of 5 targets are outside your target scope: db-1 (environment prod is not test), …". */
export function describeOutside(outside: ReadonlyArray<{ target: TargetFacts; reason: string }>, total: number, whose = 'your'): string {
  const named = outside.slice(0, 5).map(({ target, reason }) => `${target.name} (${reason})`).join(', ');
  return `${outside.length} of ${total} target${total === 1 ? ' is' : 's are'} outside ${whose} target scope: ${named}${outside.length > 5 ? ', …' : ''}`;
}

export interface PolicyProblem {
  path: string;
  message: string;
}

/** Checks a policy given as plain data (the catalog file). */
export function validateRunPolicy(input: unknown): { ok: true; policy: RunPolicy } | { ok: false; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const texts = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== '');
  if (!isObject(input) || !isObject(input.roles)) return { ok: false, problems: [{ path: 'roles', message: 'must be a map of role names to grants' }] };
  for (const key of Object.keys(input)) if (key !== 'roles') problems.push({ path: key, message: 'unknown field' });
  for (const [role, grant] of Object.entries(input.roles)) {
    const at = `roles.${role}`;
    if (role === 'admin') problems.push({ path: at, message: 'admins are never limited; remove this entry' });
    if (!isObject(grant)) {
      problems.push({ path: at, message: 'must be a grant: maxRisk and/or scope' });
      continue;
    }
    for (const key of Object.keys(grant)) if (key !== 'maxRisk' && key !== 'scope') problems.push({ path: `${at}.${key}`, message: 'unknown field; a grant has maxRisk and scope' });
    if (grant.maxRisk !== undefined && !RISK_LEVELS.includes(grant.maxRisk as RiskLevel)) problems.push({ path: `${at}.maxRisk`, message: `must be one of ${RISK_LEVELS.join(', ')}` });
    if (grant.scope === undefined) continue;
    if (!isObject(grant.scope) || Object.keys(grant.scope).length === 0) {
      problems.push({ path: `${at}.scope`, message: `must name at least one of ${SCOPE_DIMENSIONS.join(', ')}` });
      continue;
    }
    for (const [dimension, values] of Object.entries(grant.scope)) {
      if (!(SCOPE_DIMENSIONS as readonly string[]).includes(dimension)) problems.push({ path: `${at}.scope.${dimension}`, message: `unknown; a scope limits ${SCOPE_DIMENSIONS.join(', ')}` });
      else if (!texts(values)) problems.push({ path: `${at}.scope.${dimension}`, message: 'must be a non-empty list of names' });
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, policy: input as unknown as RunPolicy };
}

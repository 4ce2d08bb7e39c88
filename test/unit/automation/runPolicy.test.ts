import { describeOutside, grantFor, outsideScope, type RunPolicy, type TargetFacts, targetsOutside, validateRunPolicy } from '../../../domain/automation/runPolicy';
import { targetFacts } from '../../../domain/automation/targetFacts';
import { loadRunPolicy } from '../../../runtime/catalog/runPolicy';
import { DEFAULT_CATALOG_DIR } from '../../../runtime/catalog';
import { paymentsGraph, starter } from '../cmdb/fixture';

const policy: RunPolicy = {
  roles: {
    automation_operator: { maxRisk: 'medium' },
    dc_a_test: { maxRisk: 'high', scope: { zones: ['dc-a'], environments: ['test'] } },
    payments_team: { scope: { applications: ['payments-api'] } },
  },
};

const runbook = (risk: 'low' | 'medium' | 'high' | 'critical', allowedRoles = ['automation_operator', 'dc_a_test', 'payments_team']) => ({ id: 'restart-nginx', risk, allowedRoles });

describe('grantFor', () => {
  it('lets admins run anything anywhere', () => {
    expect(grantFor(runbook('critical', ['automation_operator']), ['admin'], policy)).toEqual({ ok: true, scopes: null });
  });

  it('refuses roles the runbook does not allow, naming both', () => {
    expect(grantFor(runbook('low', ['automation_admin']), ['agent'], policy)).toEqual({ ok: false, reason: 'runbook restart-nginx may be run by automation_admin (and admins); your roles are agent' });
  });

  it('refuses a runbook above the risk levels of the caller’s allowed roles', () => {
    expect(grantFor(runbook('high'), ['automation_operator'], policy)).toEqual({ ok: false, reason: 'runbook restart-nginx is high risk; your roles that may run it take runbooks automation_operator up to medium' });
    expect(grantFor(runbook('critical'), ['automation_operator', 'dc_a_test'], policy)).toMatchObject({ ok: false, reason: expect.stringContaining('automation_operator up to medium, dc_a_test up to high') });
  });

  it('takes a role without a limit as every risk level and every target', () => {
    expect(grantFor(runbook('critical', ['automation_admin']), ['automation_admin'], policy)).toEqual({ ok: true, scopes: null });
  });

  it('gives the scopes of the roles that take the risk level, unscoped when any of them is', () => {
    expect(grantFor(runbook('high'), ['automation_operator', 'dc_a_test'], policy)).toEqual({ ok: true, scopes: [{ zones: ['dc-a'], environments: ['test'] }] });
    expect(grantFor(runbook('low'), ['automation_operator', 'dc_a_test'], policy)).toEqual({ ok: true, scopes: null });
    expect(grantFor(runbook('low'), ['dc_a_test', 'payments_team'], policy)).toEqual({ ok: true, scopes: [{ zones: ['dc-a'], environments: ['test'] }, { applications: ['payments-api'] }] });
  });
});

describe('targetFacts', () => {
  const graph = paymentsGraph(starter());

  it('reads environment, zone and the applications a host serves through the instances it runs', () => {
    expect(targetFacts(graph.ci('vm-web-1')!, graph)).toEqual({ id: 'vm-web-1', name: 'web-1', environment: 'prod', zone: 'dc-a', ownerGroup: null, applications: ['app-api', 'payments-api'] });
  });

  it('routes by the most specific subnet and falls back to the default zone', () => {
    expect(targetFacts(graph.ci('vm-web-2')!, graph).zone).toBe('dc-a-dmz');
    expect(targetFacts(graph.ci('ps-db-1')!, graph)).toMatchObject({ zone: 'dc-b', applications: [] });
  });
});

describe('target scopes', () => {
  const target = (facts: Partial<TargetFacts>): TargetFacts => ({ id: 'ci-1', name: 'db-1', environment: 'prod', zone: 'dc-a', ownerGroup: 'dba', applications: [], ...facts });

  it('admits a target that fits every dimension the scope names', () => {
    expect(outsideScope({ zones: ['dc-a'], environments: ['prod'], ownerGroups: ['dba'] }, target({}))).toBeNull();
    expect(outsideScope({ applications: ['payments-api'] }, target({ applications: ['app-api', 'payments-api'] }))).toBeNull();
  });

  it('says which dimension keeps a target out', () => {
    expect(outsideScope({ environments: ['test', 'dev'] }, target({}))).toBe('environment prod is not one of test, dev');
    expect(outsideScope({ environments: ['test'] }, target({ environment: null }))).toBe('environment (none) is not test');
    expect(outsideScope({ zones: ['dc-b'] }, target({}))).toBe('zone dc-a is not dc-b');
    expect(outsideScope({ ownerGroups: ['network'] }, target({}))).toBe('owner group dba is not network');
    expect(outsideScope({ applications: ['payments-api'] }, target({}))).toBe('it serves no application, not payments-api');
    expect(outsideScope({ applications: ['payments-api'] }, target({ applications: ['crm'] }))).toBe('it serves applications crm, not payments-api');
  });

  it('keeps out only targets no scope admits, and admits everything without scopes', () => {
    const targets = [target({ id: 'a', name: 'a', zone: 'dc-a' }), target({ id: 'b', name: 'b', zone: 'dc-b' }), target({ id: 'c', name: 'c', zone: 'dc-c', ownerGroup: 'web' })];
    const outside = targetsOutside([{ zones: ['dc-a'] }, { ownerGroups: ['web'] }], targets);
    expect(outside).toEqual([{ target: targets[1], reason: 'zone dc-b is not dc-a' }]);
    expect(targetsOutside(null, targets)).toEqual([]);
    expect(describeOutside(outside, 3)).toBe('1 of 3 targets are outside your target scope: b (zone dc-b is not dc-a)');
  });

  it('names at most five targets in a refusal', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ target: target({ name: `h${i}` }), reason: 'zone dc-a is not dc-b' }));
    expect(describeOutside(many, 7)).toMatch(/^7 of 7 targets are outside your target scope: h0 .*h4 \(zone dc-a is not dc-b\), …$/);
  });
});

describe('validateRunPolicy', () => {
  it('accepts the shipped policy', () => {
    expect(loadRunPolicy(DEFAULT_CATALOG_DIR)).toEqual({ roles: { automation_operator: { maxRisk: 'medium' } } });
  });

  it('names every problem with its path', () => {
    const result = validateRunPolicy({
      roles: { admin: {}, a: { maxRisk: 'extreme' }, b: { scope: {} }, c: { scope: { zones: [], racks: ['r1'] } }, d: 'x', e: { ttl: 1 } },
      extra: true,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.path)).toEqual(['extra', 'roles.admin', 'roles.a.maxRisk', 'roles.b.scope', 'roles.c.scope.zones', 'roles.c.scope.racks', 'roles.d', 'roles.e.ttl']);
    expect(validateRunPolicy([])).toEqual({ ok: false, problems: [{ path: 'roles', message: 'must be a map of role names to grants' }] });
  });
});

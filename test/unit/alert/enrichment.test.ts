import { contextOf, type EnrichmentRules, enrichmentRuleProblems, findCi, type HintedAlert } from '../../../domain/alert/enrichment';
import { loadEnrichmentRules } from '../../../runtime/catalog/alertRules';
import { DEFAULT_CATALOG_DIR } from '../../../runtime/catalog';
import { ci, paymentsGraph, starter } from '../cmdb/fixture';

const model = starter();
const shipped: EnrichmentRules = loadEnrichmentRules(DEFAULT_CATALOG_DIR);

const alert = (resource: HintedAlert['resource'], labels: Record<string, string> = {}): HintedAlert => ({ resource, labels });

describe('finding the CI', () => {
  const graph = paymentsGraph(model);

  test('by host name, without case, and by the first label of a dotted name', () => {
    const exact = findCi(alert({ host: 'WEB-1' }), shipped.ciMapping, graph, model);
    expect(exact).toMatchObject({ ok: true, ci: { id: 'vm-web-1' }, foundBy: 'resource.host = WEB-1' });
    const dotted = findCi(alert({ host: 'db-1.bank.example' }), shipped.ciMapping, graph, model);
    expect(dotted).toMatchObject({ ok: true, ci: { id: 'ps-db-1' }, foundBy: 'resource.host = db-1' });
  });

  test('by IP when the host name finds nothing; a retired CI is never the answer', () => {
    expect(findCi(alert({ host: 'unknown-7', ip: '10.1.9.12' }), shipped.ciMapping, graph, model)).toMatchObject({ ok: true, ci: { id: 'vm-web-2' }, foundBy: 'resource.ip = 10.1.9.12' });
    const retired = findCi(alert({ ip: '10.1.0.3' }), shipped.ciMapping, graph, model);
    expect(retired).toEqual({ ok: false, tried: ['resource.ip = 10.1.0.3: no CI'] });
  });

  test('a ci label names the CI outright; a service name finds services and applications only', () => {
    expect(findCi(alert({ host: 'web-1' }, { ci: 'db-pay' }), shipped.ciMapping, graph, model)).toMatchObject({ ok: true, ci: { id: 'db-pay' } });
    expect(findCi(alert({ service: 'payments-api' }), shipped.ciMapping, graph, model)).toMatchObject({ ok: true, ci: { id: 'app-api' } });
    // pay-db is a database instance, not a service or application.
    expect(findCi(alert({ service: 'pay-db' }), shipped.ciMapping, graph, model).ok).toBe(false);
  });

  test('an ambiguous rule passes to the next one, and says so', () => {
    const twins = paymentsGraph(model);
    twins.putCi(ci(model, 'vm-web-1b', 'virtual_machine', { name: 'web-1 (clone)', hostname: 'web-1', primary_ip: '10.1.2.99' }));
    const found = findCi(alert({ host: 'web-1', ip: '10.1.2.11' }), shipped.ciMapping, twins, model);
    expect(found).toMatchObject({ ok: true, ci: { id: 'vm-web-1' }, foundBy: 'resource.ip = 10.1.2.11' });
    const none = findCi(alert({ host: 'web-1' }), shipped.ciMapping, twins, model);
    expect(none).toEqual({ ok: false, tried: ['resource.host = web-1: 2 CIs (vm-web-1, vm-web-1b)'] });
  });

  test('the lookup follows CI changes: a renamed host is found by its new name only', () => {
    const changed = paymentsGraph(model);
    expect(findCi(alert({ host: 'web-2' }), shipped.ciMapping, changed, model).ok).toBe(true);
    changed.putCi({ ...ci(model, 'vm-web-2', 'virtual_machine', { name: 'web-22', hostname: 'web-22', primary_ip: '10.1.9.12' }), version: 2 });
    expect(findCi(alert({ host: 'web-2' }), shipped.ciMapping, changed, model).ok).toBe(false);
    expect(findCi(alert({ host: 'web-22' }), shipped.ciMapping, changed, model)).toMatchObject({ ok: true, ci: { id: 'vm-web-2' } });
  });
});

describe('the context of the CI', () => {
  const graph = paymentsGraph(model);

  test('a web VM: its application and business system by impact, the criticality they put at risk, its zone', () => {
    const context = contextOf(graph.ci('vm-web-1')!, 'resource.host = web-1', graph, model, shipped.depth);
    expect(context).toEqual({
      ci: { id: 'vm-web-1', name: 'web-1', class: 'virtual_machine', criticality: 'medium' },
      foundBy: 'resource.host = web-1',
      zone: 'dc-a',
      applications: [{ id: 'app-api', name: 'payments-api', class: 'application', criticality: 'medium' }],
      businessSystems: [{ id: 'bs-pay', name: 'Payments', class: 'business_system', criticality: 'critical' }],
      ownerGroup: null,
      environment: 'prod',
      criticality: 'critical',
    });
  });

  test('the owner group is the CI’s own, else its application’s; a CI nothing depends on has no applications', () => {
    const owned = paymentsGraph(model);
    owned.putCi({ ...ci(model, 'app-api', 'application', { name: 'payments-api', app_code: 'payapi', environment: 'prod', owner_group: 'payments-ops' }), version: 2 });
    expect(contextOf(owned.ci('vm-web-2')!, 'x', owned, model, 6).ownerGroup).toBe('payments-ops');
    owned.putCi({ ...ci(model, 'vm-web-2', 'virtual_machine', { name: 'web-2', hostname: 'web-2', primary_ip: '10.1.9.12', owner_group: 'unix' }), version: 2 });
    expect(contextOf(owned.ci('vm-web-2')!, 'x', owned, model, 6).ownerGroup).toBe('unix');
    owned.putCi(ci(model, 'sw-lab', 'network_device', { name: 'sw-lab', role: 'switch' }));
    const lonely = contextOf(owned.ci('sw-lab')!, 'x', owned, model, 6);
    expect(lonely).toMatchObject({ applications: [], businessSystems: [], ownerGroup: null, criticality: 'medium' });
  });
});

describe('the rules as data', () => {
  test('the shipped file is valid', () => {
    expect(enrichmentRuleProblems(shipped)).toEqual([]);
    expect(shipped.ciMapping.length).toBeGreaterThan(3);
  });

  test('mistakes are named by path', () => {
    expect(enrichmentRuleProblems({ ciMapping: [{ from: 'resource.hostname', match: [] }, { from: 'labels.ci', match: ['id'], classes: 'host', odd: 1 }], depth: 0 })).toEqual([
      { path: 'depth', message: 'must be a whole number from 1 to 20' },
      { path: 'ciMapping[0].from', message: 'must be resource.host, resource.ip, resource.instance, resource.service, resource.component or labels.<name>' },
      { path: 'ciMapping[0].match', message: 'must be a non-empty list of CI attribute names (or id)' },
      { path: 'ciMapping[1].odd', message: 'unknown field' },
      { path: 'ciMapping[1].classes', message: 'must be a list of CMDB class names' },
    ]);
    expect(enrichmentRuleProblems([])).toEqual([{ path: '', message: 'must be { ciMapping: [...], depth }' }]);
  });
});

import { checkSelector, select, type Selector } from '../../../domain/cmdb/selector';
import { paymentsGraph, starter } from './fixture';

const model = starter();
const graph = paymentsGraph(model);
const ids = (selector: Selector) => [...select(selector, { graph, model })].sort();

describe('selectors', () => {
  test('class includes subclasses; retired CIs are left out unless asked for', () => {
    expect(ids({ class: 'host' })).toEqual(['ps-db-1', 'ps-hv-1', 'vm-web-1', 'vm-web-2']);
    expect(ids({ class: 'host', includeRetired: true })).toContain('ps-old');
    expect(ids({ class: ['database_instance', 'network_device'] })).toEqual(['db-pay', 'sw-1', 'sw-2']);
  });

  test('attribute conditions: equality, ranges, regex, in, exists, within', () => {
    expect(ids({ class: 'host', where: { cpu_count: { gte: 4, lt: 64 } } })).toEqual(['ps-db-1', 'vm-web-1']);
    expect(ids({ class: 'host', where: { hostname: { matches: '^web-' } } })).toEqual(['vm-web-1', 'vm-web-2']);
    expect(ids({ class: 'host', where: { environment: { in: ['prod', 'test'] }, cpu_count: { ne: 2 } } })).toEqual(['ps-db-1', 'vm-web-1']);
    expect(ids({ class: 'host', where: { serial_number: { exists: false }, primary_ip: { within: '10.1.0.0/16' } } })).toEqual(['ps-hv-1', 'vm-web-1', 'vm-web-2']);
    expect(ids({ where: { name: 'pay-db' } })).toEqual(['db-pay']);
    expect(ids({ class: 'zone', where: { subnets: { contains: '10.1.9.0/24' } } })).toEqual(['z-dmz']);
  });

  test('zone comes from the CI, else from the most specific subnet rule', () => {
    expect(ids({ class: 'host', where: { zone: 'dc-a' } })).toEqual(['ps-hv-1', 'vm-web-1']);
    expect(ids({ class: 'host', where: { zone: 'dc-a-dmz' } })).toEqual(['vm-web-2']);
    expect(ids({ class: 'host', where: { zone: 'dc-b' } })).toEqual(['ps-db-1']);
  });

  test('tags, any, not', () => {
    expect(ids({ tags: ['pci'] })).toEqual(['ps-db-1', 'vm-web-1']);
    expect(ids({ class: 'host', any: [{ tags: ['pci'] }, { where: { cpu_count: 2 } }] })).toEqual(['ps-db-1', 'vm-web-1', 'vm-web-2']);
    expect(ids({ class: 'host', not: { tags: ['pci'] } })).toEqual(['ps-hv-1', 'vm-web-2']);
  });

  test('the tag index follows re-tagging and deletion', () => {
    const g = paymentsGraph(model);
    const web1 = g.ci('vm-web-1')!;
    g.putCi({ ...web1, tags: ['sox'], version: 2 });
    g.putCi({ ...g.ci('ps-db-1')!, version: 2, deleted: true });
    expect([...select({ tags: ['pci'] }, { graph: g, model })]).toEqual([]);
    expect([...select({ tags: ['sox'] }, { graph: g, model })]).toEqual(['vm-web-1']);
  });

  test('relations: hosts running application payments-api in zone dc-a', () => {
    const hostsOfPayments: Selector = {
      class: 'host',
      where: { zone: 'dc-a' },
      related: [{ type: 'runs_on', direction: 'in', to: { class: 'instance', related: [{ type: 'member_of', direction: 'out', to: { related: [{ type: 'part_of', direction: 'out', to: { class: 'application', where: { name: 'payments-api' } } }] } }] } }],
    };
    expect(ids(hostsOfPayments)).toEqual(['vm-web-1']);
    expect(ids({ ...hostsOfPayments, where: undefined })).toEqual(['vm-web-1', 'vm-web-2']);
    expect(ids({ class: 'host', related: [{ direction: 'in' }] })).toEqual(['ps-db-1', 'ps-hv-1', 'vm-web-1', 'vm-web-2']);
  });

  test('mistakes are named by path instead of selecting nothing', () => {
    const issues = checkSelector(
      { class: 'server', wher: {}, where: { cpu: 1, hostname: { like: 'x' }, name: ['a'] }, related: [{ type: 'runs', direction: 'up' }], any: [] },
      model,
    ).map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'selector.class: no class "server"',
        expect.stringMatching(/^selector\.wher: unknown key/),
        'selector.where.cpu: no such attribute in the selected classes',
        expect.stringMatching(/^selector\.where\.hostname\.like: unknown operator/),
        expect.stringMatching(/^selector\.where\.name: a list is ambiguous/),
        'selector.related[0].type: no relation type "runs"',
        expect.stringMatching(/^selector\.related\[0\]\.direction: must be 'out'/),
        'selector.any: must be a non-empty list of selectors',
      ]),
    );
    expect(checkSelector({ class: 'host', where: { cpu_count: { gte: 2 }, primary_ip: { within: '10.0.0.0/8' } } }, model)).toEqual([]);
    expect(checkSelector({ class: 'host', where: { cpu_count: { within: '10.0.0.0/8' } } }, model)[0]!.message).toMatch(/ip attributes/);
  });
});

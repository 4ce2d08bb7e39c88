import { IdentificationIndex, identificationKeys } from '../../../domain/cmdb/identification';
import { mayOverwrite, reconcile } from '../../../domain/cmdb/reconcile';
import { ci, starter } from './fixture';

const model = starter();
const vm = model.classes.get('virtual_machine')!;
const physical = model.classes.get('physical_server')!;

describe('identification', () => {
  test('the first rule with values gives the key, scoped to the class that defines the rules', () => {
    expect(identificationKeys(vm, { serial_number: 'SN1', hostname: 'a', domain: 'b' })[0]).toBe('host|serial_number=sn1');
    expect(identificationKeys(physical, { hostname: 'A', domain: 'bank.example' })[0]).toBe('host|hostname+domain=a+bank.example');
    expect(identificationKeys(model.classes.get('process')!, { name: 'api-1' })).toEqual(['process|name=api-1']);
    expect(identificationKeys(vm, { name: 'only a name' })).toEqual([]);
  });

  test('a host found as a VM and imported as a physical server is one CI; a different serial is another', () => {
    const index = new IdentificationIndex(model);
    index.add(ci(model, 'h1', 'virtual_machine', { name: 'web-1', serial_number: 'SN-1', hostname: 'web-1', domain: 'bank', primary_ip: '10.0.0.1' }));
    expect(index.find(physical, { serial_number: 'sn-1' })).toBe('h1');
    expect(index.find(physical, { hostname: 'WEB-1', domain: 'bank' })).toBe('h1');
    expect(index.find(vm, { primary_ip: '10.0.0.1' })).toBe('h1');
    expect(index.find(vm, { serial_number: 'SN-2', primary_ip: '10.0.0.1' })).toBeUndefined();
  });
});

describe('reconciliation', () => {
  test('a source overwrites what it ranks at least as high as; refusals are conflicts', () => {
    const host = ci(model, 'h1', 'virtual_machine', { name: 'web-1', owner_group: 'web-team', os_version: '11' });
    const sources = { name: 'manual', owner_group: 'manual', os_version: 'manual' };
    const fromSsh = reconcile(model, vm, host.attributes, sources, { owner_group: 'ops', os_version: '12', cpu_count: 4 }, 'ssh');
    expect(fromSsh.changes).toEqual({ os_version: '12', cpu_count: 4 });
    expect(fromSsh.conflicts).toEqual([{ attribute: 'owner_group', kept: 'web-team', keptSource: 'manual', offered: 'ops', offeredSource: 'ssh' }]);
    expect(reconcile(model, vm, host.attributes, { ...sources, os_version: 'ssh' }, { os_version: '10' }, 'manual').conflicts).toHaveLength(1);
  });

  test('unlisted sources never overwrite listed ones, and overwrite each other', () => {
    expect(mayOverwrite(['manual', 'ssh'], 'ssh', 'cloud-sync')).toBe(false);
    expect(mayOverwrite(['manual', 'ssh'], 'vcenter', 'cloud-sync')).toBe(true);
    expect(mayOverwrite(['manual', 'ssh'], undefined, 'cloud-sync')).toBe(true);
  });
});

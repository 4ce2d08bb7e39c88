import { checkAttribute, validateAttributes, attributeChanges } from '../../../domain/cmdb/attributes';
import { cidrContains, parseCidr, parseIp } from '../../../domain/cmdb/ip';
import { type CmdbModel, CmdbModelError, resolveModel } from '../../../domain/cmdb/model';
import { starter } from './fixture';

const base = (): CmdbModel => ({
  sourcePriority: ['manual'],
  classes: {
    ci: { label: 'CI', abstract: true, identification: [['name']], attributes: { name: { type: 'string', required: true } } },
    host: { label: 'Host', parent: 'ci', attributes: { cpu: { type: 'integer', min: 1 } } },
  },
  relationTypes: { runs_on: { label: 'runs on', inverseLabel: 'runs', sources: ['host'], targets: ['host'], cardinality: 'many_to_one', propagates: 'to_source' } },
});

const issuesOf = (model: CmdbModel) => {
  try {
    resolveModel(model);
    return [];
  } catch (error) {
    if (!(error instanceof CmdbModelError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
};

describe('the CMDB model', () => {
  test('the starter model resolves with inheritance flattened', () => {
    const model = starter();
    const vm = model.classes.get('virtual_machine')!;
    expect(vm.lineage).toEqual(['ci', 'host', 'virtual_machine']);
    expect(Object.keys(vm.attributes)).toEqual(expect.arrayContaining(['name', 'owner_group', 'environment', 'lifecycle', 'zone', 'hostname', 'primary_ip', 'serial_number']));
    expect(vm.definedIn.serial_number).toBe('host');
    expect(vm.identification).toEqual([['serial_number'], ['hostname', 'domain'], ['primary_ip']]);
    expect([...model.descendants.get('instance')!].sort()).toEqual(['container', 'database_instance', 'instance', 'process']);
    expect([...model.relationTypes.keys()]).toEqual(expect.arrayContaining(['runs_on', 'depends_on', 'member_of', 'hosted_on', 'connects_to', 'contains']));
  });

  test('every problem is reported with its path', () => {
    const model = base();
    model.classes.host!.parent = 'nothing';
    model.classes.vm = { label: 'VM', parent: 'ci', attributes: { name: { type: 'string' }, kind: { type: 'enum' }, owner: { type: 'reference', class: 'person' }, size: { type: 'integer', min: 5, max: 1, default: 3 } } };
    model.classes.bad = { label: 'Bad', parent: 'ci', identification: [['missing']], attributes: { re: { type: 'string', pattern: '(' }, level: { type: 'enum', values: ['a'], default: 'b' } } };
    model.relationTypes.runs_on!.targets = ['server'];
    expect(issuesOf(model)).toEqual(
      expect.arrayContaining([
        "classes.host.parent: no class 'nothing'",
        "classes.vm.attributes.name: already defined by 'ci'; a subclass cannot redefine an inherited attribute",
        'classes.vm.attributes.kind: an enum lists its values',
        "classes.vm.attributes.owner: no class 'person' to reference",
        'classes.vm.attributes.size: min (5) is above max (1)',
        "classes.bad.identification[0]: no attribute 'missing' in class 'bad'",
        expect.stringMatching(/^classes\.bad\.attributes\.re: the pattern is not a valid regular expression/),
        'classes.bad.attributes.level: the default must be one of a, got "b"',
        "relationTypes.runs_on.targets[0]: no class 'server'",
      ]),
    );
  });

  test('an inheritance cycle is refused', () => {
    const model = base();
    model.classes.a = { label: 'A', parent: 'b' };
    model.classes.b = { label: 'B', parent: 'a' };
    expect(issuesOf(model)).toEqual(expect.arrayContaining([expect.stringMatching(/inheritance cycle: .*a.*b/)]));
  });
});

describe('attribute values', () => {
  const model = starter();
  const host = model.classes.get('physical_server')!;

  test('values are normalized and defaults applied', () => {
    const { attributes, errors } = validateAttributes(host, { name: ' db-1 ', primary_ip: '2001:DB8:0:0:0:0:0:1', cpu_count: '8', ip_addresses: ['10.0.0.1', '::ffff:10.0.0.2'] });
    expect(errors).toEqual([]);
    expect(attributes).toMatchObject({ name: 'db-1', primary_ip: '2001:db8::1', cpu_count: 8, lifecycle: 'live', rack_units: 1, criticality: 'medium', ip_addresses: ['10.0.0.1', '::ffff:a00:2'], serial_number: null, listening_ports: [] });
  });

  test('each wrong attribute gets its own message', () => {
    const { errors } = validateAttributes(host, { cpu_count: 0, primary_ip: '10.0.0.300', lifecycle: 'dead', color: 'red', ip_addresses: ['1.2.3.4', 'x'], hostname: '-bad' });
    expect(errors).toEqual(
      expect.arrayContaining([
        { attribute: 'color', message: "class 'physical_server' has no attribute 'color'" },
        { attribute: 'name', message: 'is required' },
        { attribute: 'cpu_count', message: 'the value must be at least 1' },
        { attribute: 'primary_ip', message: 'must be an IPv4 or IPv6 address, got "10.0.0.300"' },
        { attribute: 'lifecycle', message: 'must be one of planned, live, maintenance, retired, got "dead"' },
        { attribute: 'ip_addresses[1]', message: 'must be an IPv4 or IPv6 address, got "x"' },
        expect.objectContaining({ attribute: 'hostname', message: expect.stringContaining('must match the pattern') }),
      ]),
    );
    expect(errors).toHaveLength(7);
  });

  test('types: dates, booleans, URLs, CIDRs, integers', () => {
    expect(checkAttribute('d', '2026-11-22', { type: 'date' }).value).toBe('2026-11-22');
    expect(checkAttribute('d', '2026-11-22T10:00:00+01:00', { type: 'date' }).value).toBe('2026-11-22T09:00:00.000Z');
    expect(checkAttribute('d', '22/11/2026', { type: 'date' }).errors).toHaveLength(1);
    expect(checkAttribute('b', 'true', { type: 'boolean' }).value).toBe(true);
    expect(checkAttribute('u', 'https://x.example/a', { type: 'url' }).errors).toEqual([]);
    expect(checkAttribute('u', 'not a url', { type: 'url' }).errors).toHaveLength(1);
    expect(checkAttribute('c', '10.1.2.0/24', { type: 'cidr' }).value).toBe('10.1.2.0/24');
    expect(checkAttribute('c', '10.1.2.3/24', { type: 'cidr' }).errors[0]!.message).toMatch(/host bits zero/);
    expect(checkAttribute('i', 2.5, { type: 'integer' }).errors[0]!.message).toBe('must be a whole number, got 2.5');
    expect(checkAttribute('s', 'abcdef', { type: 'string', max: 3 }).errors[0]!.message).toBe('the text must be at most 3 characters long');
  });

  test('changes list only what differs', () => {
    expect(attributeChanges({ a: 1, b: ['x'], c: null }, { a: 1, b: ['x', 'y'], d: 'new' })).toEqual({ b: { before: ['x'], after: ['x', 'y'] }, d: { before: null, after: 'new' } });
  });
});

describe('IP addresses', () => {
  test('parse and canonicalize', () => {
    expect(parseIp('192.168.001.1')).toBeNull();
    expect(parseIp('fe80::1:0:0:0:1')!.text).toBe('fe80:0:0:1::1'); // the longest zero run is compressed
    expect(parseIp('1:0:0:2:0:0:0:3')!.text).toBe('1:0:0:2::3');
    expect(parseIp('::')!.text).toBe('::');
    expect(parseIp('1::2::3')).toBeNull();
    expect(parseIp('1:2:3:4:5:6:7:8:9')).toBeNull();
  });

  test('containment', () => {
    expect(cidrContains(parseCidr('10.1.0.0/16')!, parseIp('10.1.255.3')!)).toBe(true);
    expect(cidrContains(parseCidr('10.1.0.0/16')!, parseIp('10.2.0.1')!)).toBe(false);
    expect(cidrContains(parseCidr('2001:db8::/32')!, parseIp('2001:db8:ffff::1')!)).toBe(true);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('8.8.8.8')!)).toBe(true);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseIp('::1')!)).toBe(false);
  });
});

import type { ImportCi, ImportInput, ImportRelation } from '../../store/cmdb/importer';

/**
 * A bank-shaped estate for the CMDB benchmark, deterministic for a given size: business
 * systems made of applications and services, instances running on VMs hosted on physical
 * servers in racks, network devices with interfaces, two uplinks per host, and
 * dependencies between instances. At scale 1: 100,000 CIs and 300,000 relations.
 */

export interface EstateShape {
  cis: number;
  relations: number;
  zones: string[];
  applications: string[];
}

/** A small, fast, deterministic PRNG (mulberry32): same seed, same estate. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateEstate(scale: number): ImportInput & { shape: EstateShape } {
  const rand = random(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const n = (count: number) => Math.max(1, Math.round(count * scale));
  const cis: ImportCi[] = [];
  const relations: ImportRelation[] = [];
  const add = (ref: string, cls: string, attributes: Record<string, unknown>, tags?: string[]) => {
    cis.push({ ref, class: cls, attributes, tags });
    return ref;
  };
  const rel = (type: string, source: string, target: string) => relations.push({ type, source, target });

  const dcs = Array.from({ length: 4 }, (_, i) => add(`dc${i}`, 'data_centre', { name: `DC${i}`, code: `DC${i}` }));
  const zones = Array.from({ length: 8 }, (_, i) => `dc-${String.fromCharCode(97 + (i % 4))}-${i < 4 ? 'core' : 'dmz'}`);
  zones.forEach((zone, i) => add(`zone${i}`, 'zone', { name: zone, subnets: [`10.${i}.0.0/16`], data_centre: dcs[i % dcs.length] }));
  const racks = Array.from({ length: n(400) }, (_, i) => add(`rack${i}`, 'rack', { name: `R${i}`, units: 42, data_centre: dcs[i % dcs.length] }));
  racks.forEach((r, i) => rel('contains', dcs[i % dcs.length]!, r));
  const systems = Array.from({ length: n(50) }, (_, i) => add(`bs${i}`, 'business_system', { name: `Business system ${i}`, code: `BS-${i}`, criticality: pick(['critical', 'high', 'medium']) }));
  const apps = Array.from({ length: n(600) }, (_, i) => add(`app${i}`, 'application', { name: `app-${i}`, app_code: `app${i}`, environment: pick(['prod', 'prod', 'test']), owner_group: `team-${i % 40}` }));
  apps.forEach((a, i) => rel('part_of', a, systems[i % systems.length]!));
  apps.forEach((a) => {
    for (let k = 0; k < 3; k++) {
      const other = pick(apps);
      if (other !== a) rel('depends_on', a, other);
    }
  });
  const services = Array.from({ length: n(2400) }, (_, i) => add(`svc${i}`, 'service', { name: `svc-${i}` }));
  services.forEach((s, i) => rel('part_of', s, apps[i % apps.length]!));

  const physical = Array.from({ length: n(6000) }, (_, i) =>
    add(`ps${i}`, 'physical_server', { name: `ps-${i}`, hostname: `ps-${i}`, domain: 'bank.example', primary_ip: `10.${i % 8}.${(i >> 8) % 256}.${i % 256}`, serial_number: `SN-PS-${i}`, cpu_count: pick([32, 48, 64]), memory_mb: 262144, environment: 'prod' }),
  );
  physical.forEach((p, i) => rel('contains', racks[i % racks.length]!, p));
  const vms = Array.from({ length: n(30000) }, (_, i) =>
    add(`vm${i}`, 'virtual_machine', { name: `vm-${i}`, hostname: `vm-${i}`, domain: 'bank.example', primary_ip: `10.${i % 8}.${100 + ((i >> 8) % 150)}.${i % 256}`, cpu_count: pick([2, 4, 8, 16]), memory_mb: pick([4096, 8192, 16384]), os_name: 'Debian GNU/Linux', os_version: pick(['11', '12']) }, i % 10 === 0 ? ['pci'] : undefined),
  );
  vms.forEach((v, i) => rel('hosted_on', v, physical[i % physical.length]!));
  const hosts = [...physical, ...vms];

  const devices = Array.from({ length: n(1500) }, (_, i) => add(`nd${i}`, 'network_device', { name: `sw-${i}`, sys_name: `sw-${i}`, role: pick(['switch', 'switch', 'router', 'firewall']), serial_number: `SN-ND-${i}`, primary_ip: `10.${i % 8}.255.${i % 250}` }));
  devices.forEach((d, i) => rel('contains', racks[i % racks.length]!, d));
  hosts.forEach((h) => {
    const first = pick(devices);
    rel('connects_to', h, first);
    const second = pick(devices);
    if (second !== first) rel('connects_to', h, second);
  });

  const kinds = ['process', 'process', 'container', 'database_instance'] as const;
  const instances = Array.from({ length: n(36000) }, (_, i) => {
    const cls = kinds[i % kinds.length]!;
    return add(`inst${i}`, cls, { name: `inst-${i}`, port: 8000 + (i % 1000), ...(cls === 'database_instance' ? { engine: 'postgresql' } : {}) });
  });
  const databases = instances.filter((_, i) => kinds[i % kinds.length] === 'database_instance');
  instances.forEach((inst, i) => {
    rel('member_of', inst, services[i % services.length]!);
    rel('runs_on', inst, hosts[i % hosts.length]!);
    if (kinds[i % kinds.length] !== 'database_instance') {
      rel('depends_on', inst, pick(databases));
      rel('depends_on', inst, pick(databases));
    }
  });
  services.forEach((s) => rel('depends_on', s, pick(databases)));

  // Interfaces fill the estate up to 100,000 CIs at scale 1, and their links up to 300,000 relations.
  const interfaceCount = Math.max(1, n(100_000) - cis.length);
  const interfaces = Array.from({ length: interfaceCount }, (_, i) => add(`if${i}`, 'network_interface', { name: `eth${i % 48}`, if_index: Math.floor(i / devices.length) + 1, device: devices[i % devices.length], oper_status: pick(['up', 'up', 'up', 'down']) }));
  interfaces.forEach((f, i) => rel('contains', devices[i % devices.length]!, f));
  for (let i = 0; relations.length < n(300_000) && i < interfaces.length * 4; i++) {
    const a = pick(interfaces);
    const b = pick(interfaces);
    if (a !== b) rel('connects_to', a, b);
  }
  return { cis, relations, shape: { cis: cis.length, relations: relations.length, zones, applications: apps.map((_, i) => `app-${i}`) } };
}

import { feedRows, FeedError } from '../../../domain/cmdb/discovery/feed';
import { HostFactsError, hostImport, parseHostFacts } from '../../../domain/cmdb/discovery/hostFacts';
import { classify, snmpImport, type SnmpSnapshot } from '../../../domain/cmdb/discovery/snmpFacts';
import { expandTargets, MAX_TARGETS } from '../../../domain/cmdb/discovery/targets';
import { starter } from './fixture';

describe('discovery targets', () => {
  test('addresses, prefixes without network and broadcast, ranges, exclusions, no duplicates', () => {
    expect(expandTargets(['10.0.0.0/30', '10.0.0.2-10.0.0.5', '192.0.2.7', '2001:db8::1'], ['10.0.0.4'])).toEqual({
      ok: true,
      addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.5', '192.0.2.7', '2001:db8::1'],
    });
    expect(expandTargets(['10.0.0.8/31', '10.0.0.9/32'])).toEqual({ ok: true, addresses: ['10.0.0.8', '10.0.0.9'] });
  });

  test('every bad expression is named by its position; sweeps are capped', () => {
    const result = expandTargets(['10.0.0.1/24', 'nope', '10.0.0.9-10.0.0.1', '2001:db8::/64', '10.0.0.1-2001:db8::1'], ['10.0.0.0/33']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.problems[0]!.message).toMatch(/host bits zero/);
    expect(result.problems[2]!.message).toMatch(/ends before it starts/);
    expect(result.problems[3]!.message).toMatch(/IPv6 prefixes cannot be swept/);
    const big = expandTargets(['10.0.0.0/15']);
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.problems[0]!.message).toContain(`at most ${MAX_TARGETS}`);
    expect(expandTargets(['10.0.0.0/16']).ok).toBe(true);
  });
});

const DEBIAN_OUTPUT = `
@@flowdesk hostname
web01
@@flowdesk fqdn
web01.prod.bank.example
@@flowdesk os_release
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
@@flowdesk uname
6.1.0-18-amd64 x86_64
@@flowdesk cpus
8
@@flowdesk memory
MemTotal:       16384000 kB
@@flowdesk disks
loop0          0 loop
sda  107374182400 disk
sdb   53687091200 disk
sr0   1073741312 rom
@@flowdesk addresses
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
1: lo    inet6 ::1/128 scope host noprefixroute \\       valid_lft forever preferred_lft forever
2: eth0    inet 10.20.1.15/24 brd 10.20.1.255 scope global eth0\\       valid_lft forever preferred_lft forever
2: eth0    inet6 fe80::5054:ff:fe12:3456/64 scope link \\       valid_lft forever preferred_lft forever
3: eth1    inet6 2001:db8:1::15/64 scope global \\       valid_lft forever preferred_lft forever
@@flowdesk listening
tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*
tcp   LISTEN 0      511             [::]:443          [::]:*
tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*
udp   UNCONN 0      0            0.0.0.0:161       0.0.0.0:*
@@flowdesk cron
/etc/crontab: SHELL=/bin/sh
/etc/crontab: 17 *	* * *	root	cd / && run-parts --report /etc/cron.hourly
/etc/cron.d/backup: 30 2 * * * root /usr/local/bin/backup.sh
crontab: */5 * * * * /home/app/bin/poll
@@flowdesk units
apt-daily.timer            enabled enabled
logrotate.timer            enabled enabled
getty@.service             enabled enabled
nginx.service              enabled enabled
ssh.service                enabled enabled
@@flowdesk virtualization
none
Dell Inc.
PowerEdge R650
@@flowdesk serial
7XK2P93
@@flowdesk end
`;

describe('SSH host facts', () => {
  test('a Debian server: every fact from its section', () => {
    const facts = parseHostFacts(DEBIAN_OUTPUT);
    expect(facts).toEqual({
      hostname: 'web01',
      domain: 'prod.bank.example',
      osName: 'Debian GNU/Linux',
      osVersion: '12',
      kernel: '6.1.0-18-amd64',
      architecture: 'x86_64',
      cpuCount: 8,
      memoryMb: 16000,
      disks: ['sda 100.0 GiB', 'sdb 50.0 GiB'],
      diskGb: 150,
      ipAddresses: ['10.20.1.15', '2001:db8:1::15'],
      listeningPorts: ['tcp/22', 'tcp/443', 'udp/161'],
      scheduledTasks: ['/etc/crontab: 17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly', '/etc/cron.d/backup: 30 2 * * * root /usr/local/bin/backup.sh', 'crontab: */5 * * * * /home/app/bin/poll', 'timer: apt-daily.timer', 'timer: logrotate.timer'],
      autoStartServices: ['nginx.service', 'ssh.service'],
      virtual: false,
      serialNumber: '7XK2P93',
    });
    const { cis } = hostImport('10.20.1.15', facts, 'SHA256:abc');
    expect(cis).toHaveLength(1);
    expect(cis[0]!.class).toBe('physical_server');
    expect(cis[0]!.attributes).toMatchObject({ name: 'web01.prod.bank.example', primary_ip: '10.20.1.15', ip_addresses: ['10.20.1.15', '2001:db8:1::15'], serial_number: '7XK2P93', ssh_host_key: 'SHA256:abc', disk_gb: 150 });
  });

  test('a minimal host (busybox, no systemd, no ss): unknown facts stay unknown; netstat is read', () => {
    const facts = parseHostFacts(
      ['@@flowdesk hostname', 'edge-7', '@@flowdesk uname', '5.15.0 aarch64', '@@flowdesk listening', 'tcp        0      0 0.0.0.0:2222            0.0.0.0:*               LISTEN', '@@flowdesk virtualization', 'QEMU', 'Standard PC (Q35 + ICH9, 2009)', '@@flowdesk serial', 'To Be Filled By O.E.M.', '@@flowdesk end'].join('\n'),
    );
    expect(facts).toMatchObject({ hostname: 'edge-7', kernel: '5.15.0', architecture: 'aarch64', listeningPorts: ['tcp/2222'], virtual: true, disks: [], scheduledTasks: [], autoStartServices: [] });
    expect(facts.domain).toBeUndefined();
    expect(facts.serialNumber).toBeUndefined();
    const attributes = hostImport('192.0.2.9', facts).cis[0]!.attributes;
    expect(hostImport('192.0.2.9', facts).cis[0]!.class).toBe('virtual_machine');
    // Unknown facts are absent, so they cannot overwrite another source's values.
    expect(Object.keys(attributes).sort()).toEqual(['architecture', 'hostname', 'ip_addresses', 'kernel', 'listening_ports', 'name', 'primary_ip']);
  });

  test('output cut short is an error, not half a host', () => {
    expect(() => parseHostFacts('@@flowdesk hostname\nweb01\n')).toThrow(HostFactsError);
  });
});

const SWITCH: SnmpSnapshot = {
  system: { sysName: 'core-sw1.dc-a', sysDescr: 'Cisco IOS Software, C3750E', sysObjectId: '1.3.6.1.4.1.9.1.516', sysUpTime: 123456 },
  interfaces: [
    { index: 1, descr: 'Gi1/0/1', type: 6, speed: 1_000_000_000, mac: '00:1a:2b:3c:4d:01', operStatus: 1 },
    { index: 2, descr: 'Gi1/0/2', type: 6, speed: 1_000_000_000, mac: '00:1a:2b:3c:4d:02', operStatus: 2 },
    { index: 99, descr: 'Loopback0', type: 24, operStatus: 1 },
  ],
  addresses: [
    { address: '10.0.0.2', ifIndex: 1, netmask: '255.255.255.0' },
    { address: '127.0.0.1', ifIndex: 99 },
  ],
};

describe('SNMP discovery records', () => {
  test('classification by the vendor enterprise number', () => {
    expect(classify('1.3.6.1.4.1.8072.3.2.10').class).toBe('physical_server');
    expect(classify('1.3.6.1.4.1.12356.101.1.1')).toMatchObject({ class: 'network_device', vendor: 'Fortinet', role: 'firewall' });
    expect(classify('1.3.6.1.4.1.99999.1')).toMatchObject({ class: 'network_device' });
    // A prefix matches whole arcs only: enterprise 90 is not Cisco's 9.
    expect(classify('1.3.6.1.4.1.90.1').vendor).toBeUndefined();
  });

  test('a switch: device, interfaces without loopbacks, contains relations, addresses per interface', () => {
    const input = snmpImport('10.0.0.2', SWITCH);
    expect(input.cis[0]).toEqual({
      ref: 'device',
      class: 'network_device',
      attributes: { name: 'core-sw1.dc-a', sys_name: 'core-sw1.dc-a', sys_descr: 'Cisco IOS Software, C3750E', sys_object_id: '1.3.6.1.4.1.9.1.516', primary_ip: '10.0.0.2', ip_addresses: ['10.0.0.2'], vendor: 'Cisco' },
    });
    expect(input.cis.slice(1)).toEqual([
      { ref: 'if:1', class: 'network_interface', attributes: { name: 'core-sw1.dc-a Gi1/0/1', device: 'device', if_index: 1, if_type: 'ethernetCsmacd', speed_bps: 1e9, mac_address: '00:1a:2b:3c:4d:01', oper_status: 'up', ip_addresses: ['10.0.0.2'] } },
      { ref: 'if:2', class: 'network_interface', attributes: { name: 'core-sw1.dc-a Gi1/0/2', device: 'device', if_index: 2, if_type: 'ethernetCsmacd', speed_bps: 1e9, mac_address: '00:1a:2b:3c:4d:02', oper_status: 'down' } },
    ]);
    expect(input.relations).toEqual([
      { type: 'contains', source: 'device', target: 'if:1' },
      { type: 'contains', source: 'device', target: 'if:2' },
    ]);
  });

  test("a Linux host's agent: a host named by sysName, kernel from sysDescr", () => {
    const input = snmpImport('192.0.2.2', { system: { sysName: 'db01.prod', sysDescr: 'Linux db01 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian x86_64', sysObjectId: '1.3.6.1.4.1.8072.3.2.10' }, interfaces: [], addresses: [] });
    expect(input.cis[0]).toMatchObject({ class: 'physical_server', attributes: { name: 'db01.prod', hostname: 'db01', domain: 'prod', os_name: 'Linux', kernel: '6.1.0-18-amd64', architecture: 'x86_64' } });
  });
});

describe('sync feeds', () => {
  const model = starter();

  test('JSON: records at a path, dotted fields, class per record, tags', () => {
    const body = JSON.stringify({ data: { items: [{ vm: { name: 'app-1', ip: '10.1.0.5' }, cpus: 4, kind: 'virtual_machine' }, { vm: { name: 'esx-1' }, kind: 'physical_server' }] } });
    expect(feedRows(model, 'json', body, { class: 'virtual_machine', classField: 'kind', itemsPath: 'data.items', attributes: { name: 'vm.name', hostname: 'vm.name', primary_ip: 'vm.ip', cpu_count: 'cpus' }, tags: ['vcenter'] })).toEqual({
      cis: [
        { class: 'virtual_machine', attributes: { name: 'app-1', hostname: 'app-1', primary_ip: '10.1.0.5', cpu_count: 4 }, tags: ['vcenter'] },
        { class: 'physical_server', attributes: { name: 'esx-1', hostname: 'esx-1' }, tags: ['vcenter'] },
      ],
    });
  });

  test('CSV: lists split on ; by the class (the import types the text), empty cells left out', () => {
    const body = 'Host,CPUs,Addresses\nweb-1,2,10.0.0.1;10.0.0.2\nweb-2,,\n';
    expect(feedRows(model, 'csv', body, { class: 'virtual_machine', attributes: { name: 'Host', cpu_count: 'CPUs', ip_addresses: 'Addresses' } }).cis).toEqual([
      { class: 'virtual_machine', attributes: { name: 'web-1', cpu_count: '2', ip_addresses: ['10.0.0.1', '10.0.0.2'] } },
      { class: 'virtual_machine', attributes: { name: 'web-2' } },
    ]);
  });

  test('a feed that is not what the mapping expects says why', () => {
    const mapping = { class: 'virtual_machine', attributes: { name: 'n' } };
    expect(() => feedRows(model, 'json', '{not json', mapping)).toThrow(new FeedError('the JSON feed is not valid JSON'));
    expect(() => feedRows(model, 'json', '{"items": 3}', { ...mapping, itemsPath: 'items' })).toThrow(/no array at 'items'/);
    expect(() => feedRows(model, 'json', '{}', mapping)).toThrow(/set itemsPath/);
    expect(() => feedRows(model, 'csv', 'a,b\n1,2,3', mapping)).toThrow(/CSV feed cannot be read: row 2 has 3 fields/);
  });
});

/**
 * SNMP discovery: what an agent's system group, interfaces table (IF-MIB ifTable) and IP
 * address table (IP-MIB ipAddrTable) say, as CMDB records. The device's class comes from
 * its sysObjectID (the vendor's enterprise number): agents of general-purpose systems
 * (net-snmp, Windows) are hosts, the rest network devices. Each interface is a CI the device
 * contains, identified by device and ifIndex.
 */

import { defined } from './hostFacts';
import type { ImportCi, ImportInput } from '../importRows';

export interface SnmpSystem {
  sysName?: string;
  sysDescr?: string;
  sysObjectId?: string;
  /** Hundredths of a second since the agent started. */
  sysUpTime?: number;
  sysLocation?: string;
  sysContact?: string;
}

export interface SnmpInterface {
  index: number;
  descr?: string;
  /** IANAifType number. */
  type?: number;
  speed?: number;
  /** Lower-case colon-separated, or empty for interfaces without one. */
  mac?: string;
  operStatus?: number;
}

export interface SnmpAddress {
  address: string;
  ifIndex: number;
  netmask?: string;
}

/** What the SNMP probe read from one agent: plain data, so it can cross into a workflow or a test. */
export interface SnmpSnapshot {
  system: SnmpSystem;
  interfaces: SnmpInterface[];
  addresses: SnmpAddress[];
}

export const SNMP_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectId: '1.3.6.1.2.1.1.2.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysContact: '1.3.6.1.2.1.1.4.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
  ifTable: '1.3.6.1.2.1.2.2',
  ipAddrTable: '1.3.6.1.2.1.4.20',
} as const;

/** Columns of ifEntry and ipAddrEntry that discovery reads. */
export const IF_COLUMNS = { descr: 2, type: 3, speed: 5, mac: 6, operStatus: 8 } as const;
export const IP_ADDR_COLUMNS = { address: 1, ifIndex: 2, netmask: 3 } as const;

interface Classification {
  prefix: string;
  class: 'physical_server' | 'network_device';
  vendor?: string;
  role?: 'switch' | 'router' | 'firewall' | 'load_balancer';
}

/** First match by sysObjectID prefix wins; anything else is a network device of unknown role. */
const CLASSIFICATION: Classification[] = [
  { prefix: '1.3.6.1.4.1.8072.', class: 'physical_server' }, // net-snmp: Linux and other Unix hosts
  { prefix: '1.3.6.1.4.1.311.', class: 'physical_server', vendor: 'Microsoft' },
  { prefix: '1.3.6.1.4.1.9.', class: 'network_device', vendor: 'Cisco' },
  { prefix: '1.3.6.1.4.1.2636.', class: 'network_device', vendor: 'Juniper', role: 'router' },
  { prefix: '1.3.6.1.4.1.30065.', class: 'network_device', vendor: 'Arista', role: 'switch' },
  { prefix: '1.3.6.1.4.1.12356.', class: 'network_device', vendor: 'Fortinet', role: 'firewall' },
  { prefix: '1.3.6.1.4.1.25461.', class: 'network_device', vendor: 'Palo Alto Networks', role: 'firewall' },
  { prefix: '1.3.6.1.4.1.3375.', class: 'network_device', vendor: 'F5', role: 'load_balancer' },
  { prefix: '1.3.6.1.4.1.2011.', class: 'network_device', vendor: 'Huawei' },
];

export function classify(sysObjectId: string | undefined): Classification {
  const oid = `${sysObjectId ?? ''}.`;
  return CLASSIFICATION.find((c) => oid.startsWith(c.prefix)) ?? { prefix: '', class: 'network_device' };
}

/** IANAifType names for the common types; others by number. */
const IF_TYPES: Record<number, string> = { 1: 'other', 6: 'ethernetCsmacd', 24: 'softwareLoopback', 53: 'propVirtual', 71: 'ieee80211', 131: 'tunnel', 135: 'l2vlan', 136: 'l3ipvlan', 161: 'ieee8023adLag', 209: 'bridge' };
const OPER_STATUS = ['', 'up', 'down', 'testing', 'unknown', 'dormant', 'not_present', 'lower_layer_down'] as const;
const LOOPBACK = 24;

export function snmpImport(address: string, snapshot: SnmpSnapshot): ImportInput {
  const { system } = snapshot;
  const kind = classify(system.sysObjectId);
  const name = system.sysName?.trim() || address;
  const addressesOf = (ifIndex: number) => snapshot.addresses.filter((a) => a.ifIndex === ifIndex && !a.address.startsWith('127.')).map((a) => a.address);
  const deviceAddresses = [...new Set([address, ...snapshot.addresses.map((a) => a.address).filter((a) => !a.startsWith('127.'))])];
  const device: ImportCi = { ref: 'device', class: kind.class, attributes: defined(kind.class === 'network_device' ? networkDevice(name, address, deviceAddresses, system, kind) : host(name, address, deviceAddresses, system)) };
  const interfaces = snapshot.interfaces
    .filter((i) => i.type !== LOOPBACK)
    .map((i): ImportCi => ({
      ref: `if:${i.index}`,
      class: 'network_interface',
      attributes: defined({
        name: `${name} ${i.descr ?? `if${i.index}`}`,
        device: 'device',
        if_index: i.index,
        if_type: i.type === undefined ? undefined : (IF_TYPES[i.type] ?? `type ${i.type}`),
        speed_bps: i.speed,
        mac_address: i.mac || undefined,
        oper_status: i.operStatus === undefined ? undefined : (OPER_STATUS[i.operStatus] || 'unknown'),
        ip_addresses: addressesOf(i.index),
      }),
    }));
  return { cis: [device, ...interfaces], relations: interfaces.map((i) => ({ type: 'contains', source: 'device', target: i.ref! })) };
}

function networkDevice(name: string, address: string, addresses: string[], system: SnmpSystem, kind: Classification) {
  return { name, sys_name: system.sysName, sys_descr: system.sysDescr, sys_object_id: system.sysObjectId, primary_ip: address, ip_addresses: addresses, vendor: kind.vendor, role: kind.role };
}

/** A host's agent: its sysDescr (`Linux web01 6.1.0-18-amd64 #1 SMP … x86_64`) names the kernel, at SNMP's low priority. */
function host(name: string, address: string, addresses: string[], system: SnmpSystem) {
  const [hostname, ...domain] = name.split('.');
  const linux = /^Linux \S+ (\S+) .* (\S+)$/.exec(system.sysDescr ?? '');
  return { name, hostname, domain: domain.join('.') || undefined, primary_ip: address, ip_addresses: addresses, os_name: linux ? 'Linux' : undefined, kernel: linux?.[1], architecture: linux?.[2] };
}

/**
 * SSH host facts: one POSIX shell script, run on the host in a single session, prints
 * named sections; `parseHostFacts` reads them. Every command is optional (a minimal host
 * has no `ss`, no systemd, no lsblk): a missing section leaves its fact unknown rather
 * than failing the host. Nothing from the host is ever run or interpolated here.
 */

import type { ImportInput } from '../importRows';

const MARK = '@@flowdesk';

/** Sent on stdin to `sh -s`; each section's stderr is discarded. */
export const HOST_FACTS_SCRIPT = `
section() { printf '\\n${MARK} %s\\n' "$1"; }
section hostname; hostname 2>/dev/null || cat /proc/sys/kernel/hostname
section fqdn; hostname -f 2>/dev/null
section os_release; cat /etc/os-release 2>/dev/null
section uname; uname -rm 2>/dev/null
section cpus; nproc 2>/dev/null || grep -c '^processor' /proc/cpuinfo 2>/dev/null
section memory; grep '^MemTotal:' /proc/meminfo 2>/dev/null
section disks; lsblk -bdn -o NAME,SIZE,TYPE 2>/dev/null
section addresses; ip -o addr show 2>/dev/null
section listening; ss -Hltun 2>/dev/null || netstat -ltun 2>/dev/null
section cron; for f in /etc/crontab /etc/cron.d/*; do [ -f "$f" ] && grep -Ev '^[[:space:]]*(#|$)' "$f" 2>/dev/null | sed "s|^|$f: |"; done; crontab -l 2>/dev/null | grep -Ev '^[[:space:]]*(#|$)' | sed 's|^|crontab: |'
section units; systemctl list-unit-files --state=enabled --no-legend --no-pager 2>/dev/null
section virtualization; systemd-detect-virt 2>/dev/null; cat /sys/class/dmi/id/sys_vendor /sys/class/dmi/id/product_name 2>/dev/null
section serial; cat /sys/class/dmi/id/product_serial 2>/dev/null
section end
`;

export interface HostFacts {
  hostname?: string;
  domain?: string;
  osName?: string;
  osVersion?: string;
  kernel?: string;
  architecture?: string;
  cpuCount?: number;
  memoryMb?: number;
  /** Block devices of type disk with a size, e.g. `vda 256.0 GiB`. */
  disks: string[];
  diskGb?: number;
  /** Addresses on the host's interfaces, without loopback and link-local ones. */
  ipAddresses: string[];
  /** `tcp/22`, `udp/161`: sorted by protocol and port. */
  listeningPorts: string[];
  /** Cron entries (`/etc/crontab: 17 * * * * root …`) and enabled systemd timers (`timer: logrotate.timer`). */
  scheduledTasks: string[];
  /** Enabled services (systemd unit names). */
  autoStartServices: string[];
  virtual: boolean;
  serialNumber?: string;
}

/** The script's output split into its sections (name → lines, blank lines dropped). */
export function hostSections(output: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      current = [];
      sections.set(line.slice(MARK.length + 1).trim(), current);
    } else if (current && line.trim()) current.push(line.replace(/\r$/, ''));
  }
  return sections;
}

export class HostFactsError extends Error {
  override readonly name = 'HostFactsError';
}

export function parseHostFacts(output: string): HostFacts {
  const s = hostSections(output);
  // Without the end marker the script was cut short (a shell that is not sh, a session killed): say so instead of storing half the facts.
  if (!s.has('end')) throw new HostFactsError('the host facts script did not finish: is /bin/sh a POSIX shell on the host?');
  const first = (name: string) => s.get(name)?.[0]?.trim() || undefined;
  const os = osRelease(s.get('os_release') ?? []);
  const [kernel, architecture] = (first('uname') ?? '').split(/\s+/);
  const hostname = first('hostname');
  const fqdn = first('fqdn');
  const disks = diskLines(s.get('disks') ?? []);
  const units = unitNames(s.get('units') ?? []);
  return {
    hostname: hostname?.split('.')[0],
    domain: domainOf(hostname, fqdn),
    osName: os.NAME,
    osVersion: os.VERSION_ID ?? os.VERSION,
    kernel: kernel || undefined,
    architecture: architecture || undefined,
    cpuCount: positiveInteger(first('cpus')),
    memoryMb: memoryMb(first('memory')),
    disks: disks.map((d) => `${d.name} ${gib(d.bytes).toFixed(1)} GiB`),
    diskGb: disks.length ? Number(gib(disks.reduce((sum, d) => sum + d.bytes, 0)).toFixed(1)) : undefined,
    ipAddresses: addresses(s.get('addresses') ?? []),
    listeningPorts: listening(s.get('listening') ?? []),
    scheduledTasks: [...(s.get('cron') ?? []).map((line) => line.trim()).filter((line) => !isCronVariable(line)), ...units.filter((u) => u.endsWith('.timer')).map((unit) => `timer: ${unit}`)],
    autoStartServices: units.filter((u) => u.endsWith('.service')),
    virtual: isVirtual(s.get('virtualization') ?? []),
    serialNumber: serial(first('serial')),
  };
}

function osRelease(lines: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of lines) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) fields[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields;
}

function domainOf(hostname: string | undefined, fqdn: string | undefined): string | undefined {
  const full = fqdn?.includes('.') ? fqdn : hostname?.includes('.') ? hostname : undefined;
  const domain = full?.slice(full.indexOf('.') + 1).toLowerCase();
  return domain && domain !== 'localdomain' ? domain : undefined;
}

function positiveInteger(text: string | undefined): number | undefined {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function memoryMb(line: string | undefined): number | undefined {
  const kib = /MemTotal:\s+(\d+)\s*kB/.exec(line ?? '')?.[1];
  return kib ? Math.round(Number(kib) / 1024) : undefined;
}

const gib = (bytes: number) => bytes / 1024 ** 3;

function diskLines(lines: string[]): Array<{ name: string; bytes: number }> {
  return lines.flatMap((line) => {
    const [name, size, type] = line.trim().split(/\s+/);
    const bytes = Number(size);
    return name && type === 'disk' && bytes > 0 ? [{ name, bytes }] : [];
  });
}

/** `2: eth0    inet 192.0.2.2/24 brd … scope global eth0`. */
function addresses(lines: string[]): string[] {
  const found = new Set<string>();
  for (const line of lines) {
    const match = /\binet6?\s+([0-9a-fA-F.:]+)\/\d+/.exec(line);
    const address = match?.[1]?.toLowerCase();
    if (!address || /\bscope host\b/.test(line) || address.startsWith('127.') || address === '::1' || /^fe[89ab]/.test(address)) continue;
    found.add(address);
  }
  return [...found];
}

/** `ss -Hltun`: `tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*`; `netstat -ltun`: `tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN`. */
function listening(lines: string[]): string[] {
  const ports = new Map<string, { protocol: string; port: number }>();
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    const protocol = fields[0]?.replace(/6$/, '');
    if (protocol !== 'tcp' && protocol !== 'udp') continue;
    const local = /^\d+$/.test(fields[1] ?? '') ? fields[3] : fields[4];
    const port = Number(/:(\d+)$/.exec(local ?? '')?.[1]);
    if (Number.isInteger(port) && port > 0) ports.set(`${protocol}/${port}`, { protocol, port });
  }
  return [...ports.entries()].sort(([, a], [, b]) => a.protocol.localeCompare(b.protocol) || a.port - b.port).map(([key]) => key);
}

/** `MAILTO=ops` and `SHELL=/bin/sh` lines configure cron; they are not tasks. */
const isCronVariable = (line: string) => /^[^:]+:\s*[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line);

/** `ssh.service enabled enabled`: the unit names (templates such as getty@.service are not services that run). */
function unitNames(lines: string[]): string[] {
  return lines.map((line) => line.trim().split(/\s+/)[0]!).filter((unit) => unit && !unit.includes('@'));
}

function isVirtual(lines: string[]): boolean {
  const detected = lines[0]?.trim();
  // systemd-detect-virt answers one lower-case word; without it, the firmware's vendor and product names tell.
  if (detected && /^[a-z-]+$/.test(detected)) return detected !== 'none';
  return lines.some((line) => /virtual|vmware|kvm|qemu|xen|hyper-v|bochs|openstack/i.test(line));
}

function serial(text: string | undefined): string | undefined {
  // Firmware fills the field with placeholders when it has no serial.
  return text && !/^(0+|none|not specified|to be filled by o\.e\.m\.|default string|system serial number)$/i.test(text) ? text : undefined;
}

/** What SSH discovery offers the CMDB for one host: a physical server or a virtual machine, identified by serial, name or address. */
export function hostImport(address: string, facts: HostFacts, hostKey?: string): ImportInput {
  const attributes: Record<string, unknown> = {
    name: facts.domain && facts.hostname ? `${facts.hostname}.${facts.domain}` : (facts.hostname ?? address),
    hostname: facts.hostname,
    domain: facts.domain,
    primary_ip: address,
    ip_addresses: [...new Set([address, ...facts.ipAddresses])],
    serial_number: facts.serialNumber,
    os_name: facts.osName,
    os_version: facts.osVersion,
    kernel: facts.kernel,
    architecture: facts.architecture,
    cpu_count: facts.cpuCount,
    memory_mb: facts.memoryMb,
    disk_gb: facts.diskGb,
    disks: facts.disks,
    listening_ports: facts.listeningPorts,
    scheduled_tasks: facts.scheduledTasks,
    auto_start_services: facts.autoStartServices,
    ssh_host_key: hostKey,
  };
  return { cis: [{ ref: 'host', class: facts.virtual ? 'virtual_machine' : 'physical_server', attributes: defined(attributes) }] };
}

/** Unknown facts are left out, so they never overwrite what another source knows. */
export function defined(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

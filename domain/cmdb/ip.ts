/**
 * IPv4 and IPv6 addresses and CIDR prefixes, parsed to canonical text and to bigints so
 * subnet containment is exact (the subnet-to-zone rules and the `ip`/`cidr` attribute
 * types). Pure: workflows may import it, so no node:net.
 */

export interface IpAddress {
  family: 4 | 6;
  /** The address as a number (32 or 128 bits). */
  value: bigint;
  /** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
  text: string;
}

export interface Cidr {
  family: 4 | 6;
  /** The network address (host bits zero). */
  network: bigint;
  prefixLength: number;
  text: string;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros: 010 means octal to some tools and decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== null) value = (value >> 32n << 32n) | tailV4;
  return value;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
}

function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run of two or more zero groups (the first if tied).
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

export function parseIp(text: string): IpAddress | null {
  const trimmed = text.trim();
  const v4 = parseIpv4(trimmed);
  if (v4 !== null) return { family: 4, value: v4, text: formatIpv4(v4) };
  if (!trimmed.includes(':')) return null;
  const v6 = parseIpv6(trimmed);
  return v6 === null ? null : { family: 6, value: v6, text: formatIpv6(v6) };
}

/** `10.1.0.0/16`; host bits must be zero (`10.1.2.3/16` is refused: it names a host, not a network). */
export function parseCidr(text: string): Cidr | null {
  const [address, prefix, extra] = text.trim().split('/');
  if (address === undefined || prefix === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefix)) return null;
  const ip = parseIp(address);
  if (!ip) return null;
  const prefixLength = Number(prefix);
  const bits = BITS[ip.family];
  if (prefixLength > bits) return null;
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  if ((ip.value & hostMask) !== 0n) return null;
  return { family: ip.family, network: ip.value, prefixLength, text: `${ip.text}/${prefixLength}` };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) return false;
  const shift = BigInt(BITS[ip.family] - cidr.prefixLength);
  return ip.value >> shift === cidr.network >> shift;
}

const parsedCache = new Map<string, IpAddress | null>();
const PARSED_CACHE_LIMIT = 500_000;

/** parseIp, remembered: selectors test the same stored addresses over and over (IPv6 parsing builds bigints). */
export function parseIpCached(text: string): IpAddress | null {
  let parsed = parsedCache.get(text);
  if (parsed === undefined) {
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear();
    parsed = parseIp(text);
    parsedCache.set(text, parsed);
  }
  return parsed;
}

/** The canonical text of an address given as a number. */
export function formatIp(family: 4 | 6, value: bigint): string {
  return family === 4 ? formatIpv4(value) : formatIpv6(value);
}

/**
 * The addresses a discovery job sweeps: single addresses, CIDR prefixes and ranges
 * (`10.0.0.1-10.0.0.50`), minus exclusions. Prefixes of a /31 or wider skip their network
 * and broadcast addresses, as scanners do (IPv4 only; IPv6 prefixes are refused: a /64
 * cannot be swept). Pure and deterministic: the discovery workflow expands its own targets.
 */

import { type Cidr, formatIp, parseCidr, parseIp } from '../ip';

/** A /16: enough for a data-centre sweep, few enough for one run's report. */
export const MAX_TARGETS = 65_536;

export interface TargetRange {
  family: 4 | 6;
  first: bigint;
  last: bigint;
}

export type TargetParse = { ok: true; ranges: TargetRange[] } | { ok: false; error: string };

/** One target expression as a range of addresses, or why it is not one. */
export function parseTarget(text: string): TargetParse {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    const cidr = parseCidr(trimmed);
    if (!cidr) return { ok: false, error: `'${trimmed}' is not a CIDR prefix with its host bits zero (for example 10.0.0.0/24)` };
    if (cidr.family === 6) return { ok: false, error: `'${trimmed}': IPv6 prefixes cannot be swept; list the addresses` };
    return { ok: true, ranges: [prefixHosts(cidr)] };
  }
  if (trimmed.includes('-')) {
    const [from, to] = trimmed.split('-').map((part) => parseIp(part));
    if (!from || !to || from.family !== to.family) return { ok: false, error: `'${trimmed}' is not a range of two addresses of one family (for example 10.0.0.1-10.0.0.50)` };
    if (to.value < from.value) return { ok: false, error: `'${trimmed}': the range ends before it starts` };
    return { ok: true, ranges: [{ family: from.family, first: from.value, last: to.value }] };
  }
  const ip = parseIp(trimmed);
  if (!ip) return { ok: false, error: `'${trimmed}' is not an IP address, a CIDR prefix or a range` };
  return { ok: true, ranges: [{ family: ip.family, first: ip.value, last: ip.value }] };
}

function prefixHosts(cidr: Cidr): TargetRange {
  const size = 1n << BigInt(32 - cidr.prefixLength);
  const last = cidr.network + size - 1n;
  return size > 2n ? { family: 4, first: cidr.network + 1n, last: last - 1n } : { family: 4, first: cidr.network, last };
}

export interface TargetProblem {
  index: number;
  message: string;
}

/**
 * The addresses of `include` minus `exclude`, in order, without duplicates; or every
 * problem (a bad expression, more than MAX_TARGETS addresses).
 */
export function expandTargets(include: string[], exclude: string[] = []): { ok: true; addresses: string[] } | { ok: false; problems: TargetProblem[] } {
  const problems: TargetProblem[] = [];
  const parse = (texts: string[], offset: number) =>
    texts.flatMap((text, i) => {
      const parsed = parseTarget(text);
      if (!parsed.ok) problems.push({ index: offset + i, message: parsed.error });
      return parsed.ok ? parsed.ranges : [];
    });
  const included = parse(include, 0);
  const excluded = parse(exclude, include.length);
  const total = included.reduce((sum, r) => sum + (r.last - r.first + 1n), 0n);
  if (total > BigInt(MAX_TARGETS)) problems.push({ index: -1, message: `the targets cover ${total} addresses; at most ${MAX_TARGETS} per job (split the sweep into several jobs)` });
  if (problems.length) return { ok: false, problems };

  const seen = new Set<string>();
  const addresses: string[] = [];
  for (const range of included) {
    for (let value = range.first; value <= range.last; value++) {
      if (excluded.some((x) => x.family === range.family && x.first <= value && value <= x.last)) continue;
      const text = formatIp(range.family, value);
      if (!seen.has(text)) {
        seen.add(text);
        addresses.push(text);
      }
    }
  }
  return { ok: true, addresses };
}

import snmp from 'net-snmp';
import type { ResolvedCredential } from '../../domain/credential';

/**
 * SNMP sessions (net-snmp) from a stored credential: v2c with a community, or v3 with a
 * user, security level and keys. Values come back as plain JS: octet strings as text
 * (or colon-separated hex for binary ones such as MAC addresses), numbers as numbers.
 */

export interface SnmpTarget {
  address: string;
  port: number;
  timeoutMs: number;
}

export class SnmpNoResponse extends Error {
  override readonly name = 'SnmpNoResponse';
}

export function openSnmpSession(target: SnmpTarget, credential: ResolvedCredential): snmp.Session {
  const options = { port: target.port, timeout: target.timeoutMs, retries: 1, transport: target.address.includes(':') ? ('udp6' as const) : ('udp4' as const) };
  if (credential.kind === 'snmp_community') return snmp.createSession(target.address, credential.community, { ...options, version: snmp.Version2c });
  if (credential.kind === 'snmp_v3') return snmp.createV3Session(target.address, snmpUserOf(credential), { ...options, version: snmp.Version3 });
  throw new TypeError(`credential ${credential.name} is ${credential.kind}, not an SNMP credential (snmp_community or snmp_v3)`);
}

/** A stored SNMPv3 credential as net-snmp's user (sessions, and the trap receiver's accepted users). */
export function snmpUserOf(credential: Extract<ResolvedCredential, { kind: 'snmp_v3' }>): snmp.User {
  const user = {
    name: credential.username,
    level: snmp.SecurityLevel[credential.securityLevel],
    authProtocol: snmp.AuthProtocols[credential.authProtocol],
    authKey: credential.authKey,
    privProtocol: snmp.PrivProtocols[credential.privProtocol],
    privKey: credential.privKey,
  };
  return user as snmp.User;
}

/** Scalar values by OID; varbind errors (noSuchObject…) give undefined. */
export function snmpGet(session: snmp.Session, oids: string[]): Promise<Map<string, unknown>> {
  return new Promise((resolve, reject) => {
    session.get(oids, (error, varbinds) => {
      if (error) return reject(asNoResponse(error));
      resolve(new Map((varbinds ?? []).map((vb) => [vb.oid, snmp.isVarbindError(vb) ? undefined : plain(vb.value)])));
    });
  });
}

/** A conceptual table: row index → column number → value. */
export function snmpTable(session: snmp.Session, oid: string): Promise<Map<string, Map<number, unknown>>> {
  return new Promise((resolve, reject) => {
    session.table(oid, 20, (error, table) => {
      if (error) return reject(asNoResponse(error));
      const rows = new Map<string, Map<number, unknown>>();
      for (const [index, row] of Object.entries(table ?? {})) {
        rows.set(index, new Map(Object.entries(row as Record<string, unknown>).map(([column, value]) => [Number(column), plain(value)])));
      }
      resolve(rows);
    });
  });
}

function asNoResponse(error: Error): Error {
  return error.name === 'RequestTimedOutError' || /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH/.test(error.message) ? new SnmpNoResponse(`no SNMP answer (${error.message})`) : error;
}

/** Octet strings: text when printable, else `aa:bb:…` (MAC addresses). */
function plain(value: unknown): unknown {
  if (!Buffer.isBuffer(value)) return value;
  const printable = value.length > 0 && [...value].every((byte) => byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127));
  return printable || value.length === 0 ? value.toString('utf8') : [...value].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

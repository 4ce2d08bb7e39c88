import type { ResolvedCredential } from '../credential';

/**
 * The pure half of the runbook steps `snmp.get`, `snmp.walk` and `snmp.set`: OID syntax,
 * value checks against their SMI type before anything is sent, walk limits and paging,
 * and how an agent's answer becomes plain JSON. The protocol constants are SNMP's own
 * (BER tags of RFC 2578 / RFC 3416, error-status names of RFC 3416), not a library's.
 * docs/automation-snmp.md.
 */

// ─── Errors ──────────────────────────────────────────────────────────────────────────

/**
 * Asking again will fail the same way (bad input, refused credential, agent error status):
 * an activity reports these as non-retryable. The transient one, no answer, is not one.
 */
export class SnmpPermanentError extends Error {
  override readonly name: string = 'SnmpPermanentError';
  readonly retryable = false;
}

/** The request itself is wrong: an OID, a value for its type, a limit. Nothing was sent. */
export class SnmpInputError extends SnmpPermanentError {
  override readonly name: string = 'SnmpInputError';
}

/**
 * The error types (`error.name`) an activity's retry policy lists as non-retryable
 * (`nonRetryableErrorTypes`), so a workflow can state them without importing activities.
 */
export const SNMP_NON_RETRYABLE_ERROR_TYPES = ['SnmpPermanentError', 'SnmpInputError', 'SnmpAuthError', 'SnmpCredentialError', 'SnmpAgentError', 'SnmpResponseError'] as const;

// ─── OIDs ────────────────────────────────────────────────────────────────────────────

const MAX_ARCS = 128; // RFC 2578 §3.5
const MAX_ARC = 4294967295;

/**
 * A numeric OID in canonical form (`1.3.6.1.2.1.1.5.0`; one leading dot is accepted and
 * dropped). MIB names are not resolved. Arcs are unsigned 32-bit without leading zeros,
 * at most 128 of them; the first is 0, 1 or 2, and under 0 or 1 the second is below 40.
 */
export function normalizeOid(input: unknown, what = 'OID'): string {
  if (typeof input !== 'string') throw new SnmpInputError(`${what} must be a string of numbers and dots such as 1.3.6.1.2.1.1.5.0; got ${describe(input)}`);
  const oid = input.startsWith('.') ? input.slice(1) : input;
  if (!/^\d+(\.\d+)+$/.test(oid)) {
    const hint = /[A-Za-z]/.test(oid) ? ': MIB names are not resolved, use the numeric OID' : '';
    throw new SnmpInputError(`${what} '${input}' is not a numeric OID (at least two numbers joined by dots, such as 1.3.6.1.2.1.1.5.0)${hint}`);
  }
  const arcs = oid.split('.');
  if (arcs.length > MAX_ARCS) throw new SnmpInputError(`${what} '${input}' has ${arcs.length} arcs; an OID has at most ${MAX_ARCS}`);
  for (const arc of arcs) {
    if (arc.length > 1 && arc.startsWith('0')) throw new SnmpInputError(`${what} '${input}' has an arc with a leading zero ('${arc}')`);
    if (Number(arc) > MAX_ARC) throw new SnmpInputError(`${what} '${input}' has an arc above ${MAX_ARC} ('${arc}')`);
  }
  const [first, second] = arcs.map(Number) as [number, number];
  if (first > 2) throw new SnmpInputError(`${what} '${input}' starts with ${first}; an OID starts with 0, 1 or 2`);
  if (first < 2 && second >= 40) throw new SnmpInputError(`${what} '${input}': under ${first} the second arc is below 40`);
  return oid;
}

/** Arc by arc, as an agent orders its MIB: negative when `a` comes first. */
export function compareOids(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** `oid` is `root` or below it. */
export function inSubtree(root: string, oid: string): boolean {
  return oid === root || oid.startsWith(`${root}.`);
}

/** Where a request goes; `timeoutMs` is per attempt (the session tries twice). */
export interface SnmpTargetAddress {
  address: string;
  port: number;
  timeoutMs: number;
}

export function checkTarget(target: SnmpTargetAddress): void {
  if (typeof target?.address !== 'string' || target.address.trim() === '') throw new SnmpInputError('the target needs an address (a host name or an IP address)');
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) throw new SnmpInputError(`the target port is a whole number from 1 to 65535; got ${describe(target.port)}`);
  if (!Number.isInteger(target.timeoutMs) || target.timeoutMs < 10 || target.timeoutMs > 60_000) throw new SnmpInputError(`the target timeoutMs is a whole number of milliseconds from 10 to 60000; got ${describe(target.timeoutMs)}`);
}

/** At most this many OIDs in one GET, so the answer fits one message. */
export const MAX_GET_OIDS = 64;

export function checkGetOids(oids: unknown): string[] {
  if (!Array.isArray(oids) || oids.length === 0) throw new SnmpInputError('get needs a list of at least one OID');
  if (oids.length > MAX_GET_OIDS) throw new SnmpInputError(`get takes at most ${MAX_GET_OIDS} OIDs at a time; got ${oids.length}`);
  return oids.map((oid, i) => normalizeOid(oid, `OID ${i + 1}`));
}

// ─── Values as JSON ──────────────────────────────────────────────────────────────────

/** BER tags of the SMIv2 types (RFC 2578) and of the varbind exceptions (RFC 3416). */
export const SNMP_TAGS = {
  Integer: 0x02,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  IpAddress: 0x40,
  Counter32: 0x41,
  Gauge32: 0x42,
  TimeTicks: 0x43,
  Opaque: 0x44,
  Counter64: 0x46,
  noSuchObject: 0x80,
  noSuchInstance: 0x81,
  endOfMibView: 0x82,
} as const;

export type SnmpTypeName = keyof typeof SNMP_TAGS;
export type SnmpException = 'noSuchObject' | 'noSuchInstance' | 'endOfMibView';
export type SnmpValueType = Exclude<SnmpTypeName, SnmpException>;

const TYPE_BY_TAG = new Map<number, SnmpTypeName>(Object.entries(SNMP_TAGS).map(([name, tag]) => [tag, name as SnmpTypeName]));
const EXCEPTIONS: ReadonlySet<string> = new Set<SnmpException>(['noSuchObject', 'noSuchInstance', 'endOfMibView']);

/**
 * One object as a runbook sees it. Integers, Counter32, Gauge32 and TimeTicks (hundredths
 * of a second) are numbers; Counter64 is a decimal string, whatever its size, so its type
 * never changes with its value; IpAddress and ObjectIdentifier are dotted strings; octet
 * strings are text when they are printable UTF-8, else hex bytes (`00:1a:2b`), and say
 * which (`encoding`); Opaque is always hex. An OID the agent has no value for keeps its
 * place, with `type` and `error` naming the exception and a null value.
 */
export interface SnmpVarbind {
  oid: string;
  type: SnmpTypeName | 'unknown';
  value: string | number | null;
  encoding?: 'text' | 'hex';
  error?: SnmpException;
}

/** A varbind as the wire gave it: a BER tag and the decoded value (bytes for strings and Counter64). */
export interface RawVarbind {
  oid: string;
  type?: number;
  value?: unknown;
}

export function shapeVarbind(raw: RawVarbind): SnmpVarbind {
  const type = TYPE_BY_TAG.get(raw.type ?? -1) ?? 'unknown';
  const { oid, value } = raw;
  if (EXCEPTIONS.has(type)) return { oid, type, value: null, error: type as SnmpException };
  switch (type) {
    case 'OctetString':
      return { oid, type, ...renderOctets(bytesOf(value)) };
    case 'Opaque':
      return { oid, type, value: hex(bytesOf(value)), encoding: 'hex' };
    case 'Counter64':
      return { oid, type, value: unsignedOf(value).toString() };
    case 'Null':
      return { oid, type, value: null };
    case 'unknown':
      return { oid, type, value: value instanceof Uint8Array ? hex(value) : value === null || value === undefined ? null : String(value) };
    default:
      return { oid, type, value: typeof value === 'number' || typeof value === 'string' ? value : String(value) };
  }
}

/** Text when the bytes are valid UTF-8 without control characters (tab, CR and LF allowed), else hex. */
export function renderOctets(bytes: Uint8Array): { value: string; encoding: 'text' | 'hex' } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { value: hex(bytes), encoding: 'hex' };
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text) ? { value: hex(bytes), encoding: 'hex' } : { value: text, encoding: 'text' };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(':');
}

function bytesOf(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  return new TextEncoder().encode(value === null || value === undefined ? '' : String(value));
}

/** A Counter64 arrives as the big-endian bytes of its BER content (a leading 00 when the top bit is set). */
function unsignedOf(value: unknown): bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return BigInt(value);
  let n = 0n;
  for (const byte of bytesOf(value)) n = (n << 8n) | BigInt(byte);
  return n;
}

// ─── Walk ────────────────────────────────────────────────────────────────────────────

export interface WalkLimits {
  /** Objects asked for per GETBULK (its max-repetitions), 1-100; default 20. */
  maxRepetitions: number;
  /** Rows at most; a subtree with more comes back cut, `truncated: true`. 1-10,000; default 1,000. */
  maxRows: number;
  /** Milliseconds for the whole walk, 100-600,000; default 30,000. What arrived by then is returned. */
  deadlineMs: number;
}

export const WALK_LIMITS = {
  maxRepetitions: { min: 1, max: 100, default: 20 },
  maxRows: { min: 1, max: 10_000, default: 1000 },
  deadlineMs: { min: 100, max: 600_000, default: 30_000 },
} as const;

export function walkLimits(input: Partial<WalkLimits> = {}): WalkLimits {
  const limit = (name: keyof WalkLimits): number => {
    const { min, max, default: fallback } = WALK_LIMITS[name];
    const value = input[name];
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > max) throw new SnmpInputError(`${name} is a whole number from ${min} to ${max}; got ${describe(value)}`);
    return value;
  };
  return { maxRepetitions: limit('maxRepetitions'), maxRows: limit('maxRows'), deadlineMs: limit('deadlineMs') };
}

/**
 * Why a walk ended: `end` of the subtree (or of the agent's MIB), `maxRows` reached with
 * more to come, the `deadline` passed, or the agent answered an OID that does not follow
 * the one asked for (`oidNotIncreasing`), which would otherwise walk in a circle.
 */
export type WalkStop = 'end' | 'maxRows' | 'deadline' | 'oidNotIncreasing';

export interface WalkResult {
  root: string;
  rows: SnmpVarbind[];
  /** True unless the walk reached the end of the subtree: rows may be missing. */
  truncated: boolean;
  stoppedBy: WalkStop;
  /** GETBULK requests answered. */
  requests: number;
}

/**
 * One GETBULK answer, asked for the objects after `after`: the rows to keep (at most
 * `room`) and either the OID to continue after or why to stop.
 */
export function walkPage(root: string, after: string, page: readonly SnmpVarbind[], room: number): { rows: SnmpVarbind[]; next?: string; stop?: Exclude<WalkStop, 'deadline'> } {
  const rows: SnmpVarbind[] = [];
  let previous = after;
  for (const varbind of page) {
    if (varbind.error || !inSubtree(root, varbind.oid)) return { rows, stop: 'end' };
    if (compareOids(varbind.oid, previous) <= 0) return { rows, stop: 'oidNotIncreasing' };
    if (rows.length === room) return { rows, stop: 'maxRows' };
    rows.push(varbind);
    previous = varbind.oid;
  }
  // An empty answer to a GETBULK says nothing more is coming.
  return rows.length === 0 ? { rows, stop: 'end' } : { rows, next: previous };
}

/** Ask for one more than there is room for, so a full result can tell whether it was cut. */
export function repetitionsFor(limits: WalkLimits, rowsSoFar: number): number {
  return Math.max(1, Math.min(limits.maxRepetitions, limits.maxRows - rowsSoFar + 1));
}

// ─── Set ─────────────────────────────────────────────────────────────────────────────

/** The types a SET may carry. Integer32 is Integer; Unsigned32 and Gauge32 are one type on the wire. */
export const SNMP_SET_TYPES = ['Integer', 'Integer32', 'OctetString', 'ObjectIdentifier', 'IpAddress', 'Counter32', 'Gauge32', 'Unsigned32', 'TimeTicks', 'Counter64'] as const;
export type SnmpSetType = (typeof SNMP_SET_TYPES)[number];

export interface SnmpSetVarbind {
  oid: string;
  type: SnmpSetType;
  /** Numbers as numbers or decimal strings; OctetString as text, or hex bytes with `encoding: 'hex'`. */
  value: string | number;
  encoding?: 'text' | 'hex';
}

/** A checked varbind, ready to encode: numbers, dotted strings, or bytes (OctetString, Counter64). */
export interface PreparedVarbind {
  oid: string;
  type: SnmpSetType;
  tag: number;
  value: number | string | Uint8Array;
}

/** At most this many objects in one SET. */
export const MAX_SET_VARBINDS = 32;
const MAX_OCTETS = 65535; // RFC 2578 §7.1.2

const TAG_OF_SET_TYPE: Record<SnmpSetType, number> = {
  Integer: SNMP_TAGS.Integer,
  Integer32: SNMP_TAGS.Integer,
  OctetString: SNMP_TAGS.OctetString,
  ObjectIdentifier: SNMP_TAGS.ObjectIdentifier,
  IpAddress: SNMP_TAGS.IpAddress,
  Counter32: SNMP_TAGS.Counter32,
  Gauge32: SNMP_TAGS.Gauge32,
  Unsigned32: SNMP_TAGS.Gauge32,
  TimeTicks: SNMP_TAGS.TimeTicks,
  Counter64: SNMP_TAGS.Counter64,
};

/** Every varbind checked against its type, each problem naming its position and OID. */
export function prepareSet(varbinds: unknown): PreparedVarbind[] {
  if (!Array.isArray(varbinds) || varbinds.length === 0) throw new SnmpInputError('set needs a list of at least one { oid, type, value }');
  if (varbinds.length > MAX_SET_VARBINDS) throw new SnmpInputError(`set takes at most ${MAX_SET_VARBINDS} objects at a time; got ${varbinds.length}`);
  const seen = new Set<string>();
  return varbinds.map((varbind: Partial<SnmpSetVarbind> | null, i): PreparedVarbind => {
    const where = `varbind ${i + 1}`;
    if (typeof varbind !== 'object' || varbind === null) throw new SnmpInputError(`${where} must be { oid, type, value }; got ${describe(varbind)}`);
    const oid = normalizeOid(varbind.oid, `${where}: OID`);
    if (seen.has(oid)) throw new SnmpInputError(`${where} (${oid}): the same OID twice in one set`);
    seen.add(oid);
    const type = varbind.type as SnmpSetType;
    if (!SNMP_SET_TYPES.includes(type)) throw new SnmpInputError(`${where} (${oid}): type ${describe(varbind.type)} is not one of ${SNMP_SET_TYPES.join(', ')}`);
    if (varbind.encoding !== undefined && (type !== 'OctetString' || (varbind.encoding !== 'text' && varbind.encoding !== 'hex'))) {
      throw new SnmpInputError(`${where} (${oid}): encoding is 'text' or 'hex', and only for an OctetString`);
    }
    const problem = (expected: string) => new SnmpInputError(`${where} (${oid}): a ${type} value is ${expected}; got ${describe(varbind.value)}`);
    return { oid, type, tag: TAG_OF_SET_TYPE[type], value: setValue(type, varbind.value, varbind.encoding, problem) };
  });
}

function setValue(type: SnmpSetType, value: unknown, encoding: 'text' | 'hex' | undefined, problem: (expected: string) => SnmpInputError): PreparedVarbind['value'] {
  switch (type) {
    case 'Integer':
    case 'Integer32':
      return Number(whole(value, -(2n ** 31n), 2n ** 31n - 1n, () => problem('a whole number from -2147483648 to 2147483647')));
    case 'Counter32':
    case 'Gauge32':
    case 'Unsigned32':
    case 'TimeTicks':
      return Number(whole(value, 0n, 2n ** 32n - 1n, () => problem('a whole number from 0 to 4294967295')));
    case 'Counter64':
      return berUnsigned(whole(value, 0n, 2n ** 64n - 1n, () => problem('a whole number from 0 to 18446744073709551615 (as a string above 2^53)')));
    case 'OctetString': {
      if (typeof value !== 'string') throw problem(encoding === 'hex' ? 'a string of hex bytes such as 00:1a:2b' : 'a string');
      const bytes = encoding === 'hex' ? hexBytes(value) : new TextEncoder().encode(value);
      if (!bytes) throw problem('a string of hex bytes such as 00:1a:2b or 001a2b');
      if (bytes.length > MAX_OCTETS) throw problem(`at most ${MAX_OCTETS} bytes (this one is ${bytes.length})`);
      return bytes;
    }
    case 'ObjectIdentifier':
      try {
        return normalizeOid(value);
      } catch {
        throw problem('a numeric OID such as 1.3.6.1.4.1.8072');
      }
    case 'IpAddress': {
      const octets = typeof value === 'string' ? value.split('.') : [];
      if (octets.length !== 4 || !octets.every((octet) => /^(0|[1-9]\d{0,2})$/.test(octet) && Number(octet) <= 255)) throw problem('an IPv4 address in dotted form such as 192.0.2.10');
      return octets.join('.');
    }
  }
}

/** A whole number within [min, max], given as a number (a safe integer) or a decimal string. */
function whole(value: unknown, min: bigint, max: bigint, problem: () => SnmpInputError): bigint {
  let n: bigint;
  if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^-?\d{1,20}$/.test(value.trim())) n = BigInt(value.trim());
  else throw problem();
  if (n < min || n > max) throw problem();
  return n;
}

/** The BER content octets of an unsigned integer: big-endian, minimal, a leading 00 when the top bit is set. */
function berUnsigned(n: bigint): Uint8Array {
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return Uint8Array.from(bytes);
}

/** `00:1a:2b`, `00 1a 2b`, `00-1a-2b` or `001a2b`; undefined when it is none of these. */
function hexBytes(text: string): Uint8Array | undefined {
  const compact = text.trim();
  if (compact === '') return new Uint8Array(0);
  const pairs = /^[0-9a-f]{2}([:\s-]?[0-9a-f]{2})*$/i.test(compact) ? compact.replace(/[:\s-]/g, '').match(/../g) : null;
  return pairs ? Uint8Array.from(pairs, (pair) => parseInt(pair, 16)) : undefined;
}

// ─── Agent error status and credentials ──────────────────────────────────────────────

/** RFC 3416 error-status names by code. */
export const ERROR_STATUS = ['noError', 'tooBig', 'noSuchName', 'badValue', 'readOnly', 'genErr', 'noAccess', 'wrongType', 'wrongLength', 'wrongEncoding', 'wrongValue', 'noCreation', 'inconsistentValue', 'resourceUnavailable', 'commitFailed', 'undoFailed', 'authorizationError', 'notWritable', 'inconsistentName'] as const;
export type SnmpErrorStatus = (typeof ERROR_STATUS)[number];

const STATUS_HINT: Partial<Record<SnmpErrorStatus, string>> = {
  tooBig: 'the answer would not fit one message: ask for fewer objects',
  noSuchName: 'the agent has no such object (or it may not be accessed)',
  readOnly: 'the object is read-only',
  noAccess: 'the credential may not write it (a read-only community or user, or outside its view)',
  wrongType: 'the agent expects another type for this object',
  wrongLength: 'the value has a length the object does not allow',
  wrongEncoding: 'the value is encoded in a way the object does not allow',
  wrongValue: 'the object does not take this value',
  noCreation: 'the object does not exist and cannot be created',
  inconsistentValue: "the value is not possible in the object's current state",
  resourceUnavailable: 'the agent lacks the resources to apply it',
  commitFailed: 'the agent could not apply it; nothing was changed',
  undoFailed: 'the agent could not apply it and could not undo all of it: some objects may have changed',
  authorizationError: "the agent's access control refuses this operation for the credential",
  notWritable: "the object cannot be set (read-only, not implemented for SET, or fixed in the agent's configuration)",
  inconsistentName: 'the object does not exist and cannot be created with this name',
};

export function errorStatusName(code: number): SnmpErrorStatus {
  return ERROR_STATUS[code] ?? 'genErr';
}

/** `set refused by the agent: notWritable on 1.3.6.1.2.1.1.5.0 (the object cannot be set …)`. */
export function agentErrorMessage(operation: string, status: SnmpErrorStatus, oid?: string): string {
  const hint = STATUS_HINT[status];
  return `${operation} refused by the agent: ${status}${oid ? ` on ${oid}` : ''}${hint ? ` (${hint})` : ''}`;
}

/** Why this credential cannot open an SNMP session, or undefined when it can. */
export function snmpCredentialProblem(credential: ResolvedCredential): string | undefined {
  if (credential.kind === 'snmp_community') return credential.community ? undefined : `credential ${credential.name} has an empty community`;
  if (credential.kind !== 'snmp_v3') return `credential ${credential.name} is ${credential.kind}, not an SNMP credential (snmp_community or snmp_v3)`;
  if (!credential.username) return `credential ${credential.name} has no SNMPv3 user name`;
  if (credential.securityLevel !== 'noAuthNoPriv' && !credential.authKey) return `credential ${credential.name} is ${credential.securityLevel} but has no authKey`;
  if (credential.securityLevel === 'authPriv' && !credential.privKey) return `credential ${credential.name} is authPriv but has no privKey`;
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;
  return typeof value === 'object' ? JSON.stringify(value)?.slice(0, 60) ?? String(value) : String(value);
}

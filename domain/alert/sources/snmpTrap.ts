/**
 * SNMP traps (docs/alerts-snmp.md): a received notification as data, v1 traps mapped to
 * SNMPv2 trap OIDs (RFC 3584 §3.1), and per-trap-OID rules that name the alert, set its
 * severity, choose the varbinds that become labels and key, and pair clearing traps with
 * the problems they clear (linkUp clears linkDown on the same ifIndex). Pure.
 */

import { type AlertEvent, type NormalizedAlert, resourceFrom, SEVERITIES, type Severity, summaryLine } from '../alert';
import { alertFingerprint, payloadDigest } from '../fingerprint';

export const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
export const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const SNMP_TRAPS = '1.3.6.1.6.3.1.1.5';
const ENTERPRISE_VARBIND = '1.3.6.1.6.3.1.1.4.3.0';

/** A notification as the receiver got it, already independent of the SNMP library. */
export interface TrapMessage {
  version: 'v1' | 'v2c' | 'v3';
  /** Where the UDP packet came from; for v1, the agent address in the PDU when it has one. */
  source: string;
  /** The SNMPv2 trap OID (for v1, mapped). */
  trapOid: string;
  /** Every varbind except sysUpTime.0 and snmpTrapOID.0, values as text. */
  varbinds: Array<{ oid: string; value: string }>;
  /** sysUpTime.0 of the agent, hundredths of a second. */
  uptime: number | null;
  /** The PDU's request id, which tells two identical traps apart. */
  requestId: number;
}

/** The v1 generic-trap numbers' SNMPv2 OIDs (coldStart … egpNeighborLoss), RFC 3584 §3.1. */
export function v2TrapOid(enterprise: string, generic: number, specific: number): string {
  if (generic >= 0 && generic <= 5) return `${SNMP_TRAPS}.${generic + 1}`;
  return `${enterprise}.0.${specific}`;
}

/** A net-snmp notification (`{ pdu, rinfo }`) as a TrapMessage; null when it is not a trap. */
export function trapFromPdu(notification: {
  pdu: { type: number; id: number; varbinds: Array<{ oid: string; value: unknown }>; enterprise?: string; agentAddr?: string; generic?: number; specific?: number; upTime?: number; scoped?: boolean };
  rinfo: { address: string };
}): TrapMessage | null {
  const { pdu, rinfo } = notification;
  const text = (value: unknown) => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value));
  if (pdu.type === TRAP_V1) {
    const trapOid = v2TrapOid(pdu.enterprise ?? '', pdu.generic ?? 6, pdu.specific ?? 0);
    const agent = pdu.agentAddr && pdu.agentAddr !== '0.0.0.0' ? pdu.agentAddr : rinfo.address;
    const varbinds = pdu.varbinds.map((v) => ({ oid: v.oid, value: text(v.value) }));
    return { version: 'v1', source: agent, trapOid, varbinds: [...varbinds, { oid: ENTERPRISE_VARBIND, value: pdu.enterprise ?? '' }], uptime: pdu.upTime ?? null, requestId: pdu.id ?? 0 };
  }
  if (pdu.type !== TRAP_V2 && pdu.type !== INFORM) return null;
  const trapOid = pdu.varbinds.find((v) => v.oid === SNMP_TRAP_OID);
  if (!trapOid) return null;
  const uptime = pdu.varbinds.find((v) => v.oid === SYS_UPTIME);
  return {
    version: pdu.scoped ? 'v3' : 'v2c',
    source: rinfo.address,
    trapOid: text(trapOid.value),
    varbinds: pdu.varbinds.filter((v) => v.oid !== SNMP_TRAP_OID && v.oid !== SYS_UPTIME).map((v) => ({ oid: v.oid, value: text(v.value) })),
    uptime: uptime ? Number(uptime.value) : null,
    requestId: pdu.id,
  };
}

/** net-snmp's PDU types (RFC 1157 / 3416 tags). */
const TRAP_V1 = 164;
const INFORM = 166;
const TRAP_V2 = 167;

export interface TrapRule {
  /** The SNMPv2 trap OID the rule is for. */
  oid: string;
  /** The alert's name (alertname); a clearing trap names the problem it clears. */
  name: string;
  severity: Severity;
  /** Label name → varbind OID (prefix: `1.3.6.1.2.1.2.2.1.1` takes `…1.1.7`). */
  labels: Record<string, string>;
  /** Labels that with the source and problem OID make the alert's key. */
  key: string[];
  /** This trap resolves the alert of that problem trap OID with the same key. */
  clears: string | null;
}

export interface TrapRules {
  traps: TrapRule[];
  /** For trap OIDs no rule names. */
  unknownSeverity: Severity;
  /** Traps from an address no CI has: stored as alerts, or dropped (counted). */
  unknownSources: 'accept' | 'drop';
}

/** A varbind's value by OID: exact, or the first whose OID extends it (an indexed column). */
function varbindValue(message: TrapMessage, oid: string): string | undefined {
  return message.varbinds.find((v) => v.oid === oid || v.oid.startsWith(`${oid}.`))?.value;
}

/**
 * The alert event a trap makes: a firing report, or for a clearing trap a resolved report
 * under the key of the problem it clears. `sender` is the intake integration (the
 * receiver's), `receivedAt` the time of receipt.
 */
export function trapEvent(message: TrapMessage, rules: TrapRules, context: { receivedAt: string; sender: string }): { event: AlertEvent; digest: string } {
  const rule = rules.traps.find((r) => r.oid === message.trapOid);
  const problemOid = rule?.clears ?? message.trapOid;
  const labels: Record<string, string> = { alertname: rule?.name ?? `trap ${message.trapOid}`, trap_oid: problemOid, source: message.source };
  for (const [name, oid] of Object.entries(rule?.labels ?? {})) {
    const value = varbindValue(message, oid);
    if (value !== undefined) labels[name] = value;
  }
  const keyParts = (rule?.key ?? []).map((name) => labels[name] ?? '');
  const nativeKey = [message.source, problemOid, ...keyParts].join('|');
  const digest = payloadDigest(message);
  const annotations: Record<string, string> = Object.fromEntries(message.varbinds.map((v) => [v.oid, v.value]));
  if (rule?.clears) annotations.cleared_by = message.trapOid;
  const status = rule?.clears ? 'resolved' : 'firing';
  const alert: NormalizedAlert = {
    source: 'snmp',
    sender: context.sender,
    nativeKey,
    fingerprint: alertFingerprint('snmp', context.sender, nativeKey),
    nativeKeyFrom: 'source',
    name: labels.alertname!,
    severity: rule?.severity ?? rules.unknownSeverity,
    nativeSeverity: null,
    status,
    summary: summaryLine(`${labels.alertname} from ${message.source}${keyParts.length ? ` (${rule!.key.map((k, i) => `${k} ${keyParts[i]}`).join(', ')})` : ''}`),
    description: null,
    labels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))),
    annotations: Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => a.localeCompare(b))),
    resource: resourceFrom({ ip: message.source }),
    startsAt: context.receivedAt,
    endsAt: status === 'resolved' ? context.receivedAt : null,
    receivedAt: context.receivedAt,
    generatorURL: null,
    raw: { digest, pointer: '' },
  };
  return { event: { kind: 'report', alert }, digest };
}

/** Checks trap rules given as data (catalog/rules/snmp-traps.yaml). */
export function trapRuleProblems(input: unknown): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(input)) return [{ path: '', message: 'must be { traps: [...], unknownSeverity, unknownSources }' }];
  const oid = /^\d+(\.\d+)+$/;
  if (!SEVERITIES.includes(input.unknownSeverity as Severity)) problems.push({ path: 'unknownSeverity', message: `must be one of ${SEVERITIES.join(', ')}` });
  if (!['accept', 'drop'].includes(input.unknownSources as string)) problems.push({ path: 'unknownSources', message: 'must be accept or drop' });
  if (!Array.isArray(input.traps)) return [...problems, { path: 'traps', message: 'must be a list of trap rules' }];
  const seen = new Set<string>();
  input.traps.forEach((rule: unknown, i) => {
    const path = `traps[${i}]`;
    if (!isObject(rule)) return void problems.push({ path, message: 'must be { oid, name, severity, labels?, key?, clears? }' });
    for (const key of Object.keys(rule)) if (!['oid', 'name', 'severity', 'labels', 'key', 'clears'].includes(key)) problems.push({ path: `${path}.${key}`, message: 'unknown field' });
    if (typeof rule.oid !== 'string' || !oid.test(rule.oid)) problems.push({ path: `${path}.oid`, message: 'must be a numeric OID such as 1.3.6.1.6.3.1.1.5.3' });
    else if (seen.has(rule.oid)) problems.push({ path: `${path}.oid`, message: `a second rule for ${rule.oid}` });
    else seen.add(rule.oid);
    if (typeof rule.name !== 'string' || !rule.name.trim()) problems.push({ path: `${path}.name`, message: 'must name the alert' });
    if (!SEVERITIES.includes(rule.severity as Severity)) problems.push({ path: `${path}.severity`, message: `must be one of ${SEVERITIES.join(', ')}` });
    const labels = rule.labels ?? {};
    if (!isObject(labels) || !Object.values(labels).every((v) => typeof v === 'string' && oid.test(v))) problems.push({ path: `${path}.labels`, message: 'must map label names to varbind OIDs' });
    const key = rule.key ?? [];
    if (!Array.isArray(key) || !key.every((k) => typeof k === 'string' && isObject(labels) && k in labels)) problems.push({ path: `${path}.key`, message: 'must list label names from labels' });
    if (rule.clears !== undefined && rule.clears !== null && (typeof rule.clears !== 'string' || !oid.test(rule.clears))) problems.push({ path: `${path}.clears`, message: 'must be the problem trap OID this trap clears' });
  });
  return problems;
}

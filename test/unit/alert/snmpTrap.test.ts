import { trapEvent, trapFromPdu, trapRuleProblems, v2TrapOid } from '../../../domain/alert/sources/snmpTrap';
import { loadTrapRules } from '../../../runtime/catalog/alertRules';
import { DEFAULT_CATALOG_DIR } from '../../../runtime/catalog';

const rules = loadTrapRules(DEFAULT_CATALOG_DIR);
const context = { receivedAt: '2026-12-04T10:00:00.000Z', sender: 'snmp-traps' };

describe('PDUs to trap messages', () => {
  test('v1 generic traps map to SNMPv2 trap OIDs; enterprise-specific ones to <enterprise>.0.<specific> (RFC 3584)', () => {
    expect(v2TrapOid('1.3.6.1.4.1.9', 2, 0)).toBe('1.3.6.1.6.3.1.1.5.3');
    expect(v2TrapOid('1.3.6.1.4.1.9', 0, 0)).toBe('1.3.6.1.6.3.1.1.5.1');
    expect(v2TrapOid('1.3.6.1.4.1.9', 6, 17)).toBe('1.3.6.1.4.1.9.0.17');
    const v1 = trapFromPdu({ pdu: { type: 164, id: 0, enterprise: '1.3.6.1.4.1.9', agentAddr: '10.0.0.9', generic: 2, specific: 0, upTime: 42, varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.1.3', value: 3 }] }, rinfo: { address: '10.0.0.1' } });
    expect(v1).toEqual({ version: 'v1', source: '10.0.0.9', trapOid: '1.3.6.1.6.3.1.1.5.3', uptime: 42, requestId: 0, varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.1.3', value: '3' }, { oid: '1.3.6.1.6.3.1.1.4.3.0', value: '1.3.6.1.4.1.9' }] });
  });

  test('v2c: the trap OID and uptime come out of the varbinds; a PDU that is not a notification is none', () => {
    const v2 = trapFromPdu({ pdu: { type: 167, id: 7, varbinds: [{ oid: '1.3.6.1.2.1.1.3.0', value: 99 }, { oid: '1.3.6.1.6.3.1.1.4.1.0', value: '1.3.6.1.6.3.1.1.5.4' }, { oid: '1.3.6.1.2.1.2.2.1.2.5', value: Buffer.from('eth5') }] }, rinfo: { address: '10.0.0.2' } });
    expect(v2).toEqual({ version: 'v2c', source: '10.0.0.2', trapOid: '1.3.6.1.6.3.1.1.5.4', uptime: 99, requestId: 7, varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.2.5', value: 'eth5' }] });
    expect(trapFromPdu({ pdu: { type: 160, id: 1, varbinds: [] }, rinfo: { address: '10.0.0.2' } })).toBeNull();
  });
});

describe('trap messages to alerts', () => {
  const down = { version: 'v2c' as const, source: '10.0.0.2', trapOid: '1.3.6.1.6.3.1.1.5.3', uptime: 1, requestId: 1, varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.1.5', value: '5' }] };

  test('linkDown fires, linkUp resolves the same fingerprint; another ifIndex is another alert', () => {
    const fired = trapEvent(down, rules, context).event;
    const cleared = trapEvent({ ...down, trapOid: '1.3.6.1.6.3.1.1.5.4', requestId: 2 }, rules, context).event;
    const other = trapEvent({ ...down, varbinds: [{ oid: '1.3.6.1.2.1.2.2.1.1.6', value: '6' }] }, rules, context).event;
    if (fired.kind !== 'report' || cleared.kind !== 'report' || other.kind !== 'report') throw new Error('reports expected');
    expect(fired.alert).toMatchObject({ status: 'firing', name: 'LinkDown', severity: 'major', nativeKey: '10.0.0.2|1.3.6.1.6.3.1.1.5.3|5', resource: { ip: '10.0.0.2' } });
    expect(cleared.alert).toMatchObject({ status: 'resolved', fingerprint: fired.alert.fingerprint, endsAt: context.receivedAt });
    expect(other.alert.fingerprint).not.toBe(fired.alert.fingerprint);
  });

  test('two traps are two requests (the digest covers the request id), the same PDU twice is one', () => {
    const a = trapEvent(down, rules, context).digest;
    expect(trapEvent({ ...down }, rules, context).digest).toBe(a);
    expect(trapEvent({ ...down, requestId: 9 }, rules, context).digest).not.toBe(a);
  });
});

test('rule mistakes are named by path', () => {
  expect(trapRuleProblems(rules)).toEqual([]);
  expect(trapRuleProblems({ traps: [{ oid: 'linkDown', name: '', severity: 'bad', labels: { ifIndex: 'x' }, key: ['nope'], clears: 3 }], unknownSeverity: 'x', unknownSources: 'maybe' }).map((p) => p.path)).toEqual([
    'unknownSeverity',
    'unknownSources',
    'traps[0].oid',
    'traps[0].name',
    'traps[0].severity',
    'traps[0].labels',
    'traps[0].key',
    'traps[0].clears',
  ]);
});

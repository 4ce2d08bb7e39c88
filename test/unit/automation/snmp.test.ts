import {
  agentErrorMessage,
  checkGetOids,
  checkTarget,
  compareOids,
  errorStatusName,
  inSubtree,
  normalizeOid,
  prepareSet,
  renderOctets,
  repetitionsFor,
  shapeVarbind,
  SNMP_NON_RETRYABLE_ERROR_TYPES,
  snmpCredentialProblem,
  SnmpInputError,
  SnmpPermanentError,
  type SnmpVarbind,
  walkLimits,
  walkPage,
} from '../../../domain/automation/snmp';
import type { ResolvedCredential } from '../../../domain/credential';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (s: string) => new TextEncoder().encode(s);

describe('OIDs', () => {
  test.each([
    ['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.5.0'],
    ['.1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.5.0'],
    ['0.0', '0.0'],
    ['2.999.4294967295', '2.999.4294967295'],
  ])('%s is %s', (input, oid) => {
    expect(normalizeOid(input)).toBe(oid);
  });

  test.each([
    ['', /not a numeric OID/],
    ['1', /not a numeric OID/],
    ['1.3.', /not a numeric OID/],
    ['1..3', /not a numeric OID/],
    ['1.3.6.-1', /not a numeric OID/],
    ['SNMPv2-MIB::sysName.0', /MIB names are not resolved/],
    ['1.3.06.1', /leading zero \('06'\)/],
    ['1.3.4294967296', /arc above 4294967295/],
    ['3.1', /starts with 3/],
    ['1.40', /second arc is below 40/],
    [Array.from({ length: 129 }, () => '1').join('.'), /at most 128/],
  ])('%j is refused: %s', (input, reason) => {
    expect(() => normalizeOid(input)).toThrow(reason);
    expect(() => normalizeOid(input)).toThrow(SnmpInputError);
  });

  test('a non-string is refused with what it was', () => {
    expect(() => normalizeOid(42, 'OID 2')).toThrow("OID 2 must be a string of numbers and dots such as 1.3.6.1.2.1.1.5.0; got 42");
  });

  test('order is arc by arc, not text order; a prefix comes first', () => {
    expect(compareOids('1.3.6.1.2.1.2.2.1.2.10', '1.3.6.1.2.1.2.2.1.2.9')).toBeGreaterThan(0);
    expect(compareOids('1.3.6.1', '1.3.6.1.0')).toBeLessThan(0);
    expect(compareOids('1.3.6.1', '1.3.6.1')).toBe(0);
    expect(['1.3.6.1.10', '1.3.6.1.9', '1.3.6.1.9.1', '1.3.6.2'].sort(compareOids)).toEqual(['1.3.6.1.9', '1.3.6.1.9.1', '1.3.6.1.10', '1.3.6.2']);
  });

  test('subtree membership goes by whole arcs', () => {
    expect(inSubtree('1.3.6.1.2.1.1', '1.3.6.1.2.1.1.5.0')).toBe(true);
    expect(inSubtree('1.3.6.1.2.1.1', '1.3.6.1.2.1.1')).toBe(true);
    expect(inSubtree('1.3.6.1.2.1.1', '1.3.6.1.2.1.10.5')).toBe(false);
  });

  test('a get takes 1 to 64 OIDs, each checked and named by position', () => {
    expect(checkGetOids(['.1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.1.0'])).toEqual(['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.1.0']);
    expect(() => checkGetOids([])).toThrow('get needs a list of at least one OID');
    expect(() => checkGetOids('1.3.6.1' as never)).toThrow(SnmpInputError);
    expect(() => checkGetOids(Array.from({ length: 65 }, () => '1.3.6.1'))).toThrow('at most 64');
    expect(() => checkGetOids(['1.3.6.1', 'sysName.0'])).toThrow(/^OID 2 'sysName.0' is not a numeric OID/);
  });
});

describe('values as JSON', () => {
  test.each([
    [{ type: 0x02, value: -5 }, { type: 'Integer', value: -5 }],
    [{ type: 0x41, value: 4294967295 }, { type: 'Counter32', value: 4294967295 }],
    [{ type: 0x42, value: 7 }, { type: 'Gauge32', value: 7 }],
    [{ type: 0x43, value: 123456 }, { type: 'TimeTicks', value: 123456 }],
    [{ type: 0x40, value: '10.0.0.1' }, { type: 'IpAddress', value: '10.0.0.1' }],
    [{ type: 0x06, value: '1.3.6.1.4.1.8072.3.2.10' }, { type: 'ObjectIdentifier', value: '1.3.6.1.4.1.8072.3.2.10' }],
    [{ type: 0x05, value: null }, { type: 'Null', value: null }],
    [{ type: 0x04, value: text('Linux vm 6.1') }, { type: 'OctetString', value: 'Linux vm 6.1', encoding: 'text' }],
    [{ type: 0x04, value: text('Zürich\tDC-2\n') }, { type: 'OctetString', value: 'Zürich\tDC-2\n', encoding: 'text' }],
    [{ type: 0x04, value: bytes() }, { type: 'OctetString', value: '', encoding: 'text' }],
    [{ type: 0x04, value: bytes(0x00, 0x1a, 0x2b, 0xff, 0x10, 0x01) }, { type: 'OctetString', value: '00:1a:2b:ff:10:01', encoding: 'hex' }],
    [{ type: 0x04, value: bytes(0x41, 0x00) }, { type: 'OctetString', value: '41:00', encoding: 'hex' }],
    [{ type: 0x04, value: bytes(0xc3, 0x28) }, { type: 'OctetString', value: 'c3:28', encoding: 'hex' }], // not UTF-8
    [{ type: 0x44, value: bytes(0x9f, 0x78, 0x04) }, { type: 'Opaque', value: '9f:78:04', encoding: 'hex' }],
    [{ type: 0x46, value: bytes(0x0d, 0x29) }, { type: 'Counter64', value: '3369' }],
    [{ type: 0x46, value: bytes(0x00) }, { type: 'Counter64', value: '0' }],
    [{ type: 0x46, value: bytes(0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff) }, { type: 'Counter64', value: '18446744073709551615' }],
    [{ type: 0x80, value: null }, { type: 'noSuchObject', value: null, error: 'noSuchObject' }],
    [{ type: 0x81, value: null }, { type: 'noSuchInstance', value: null, error: 'noSuchInstance' }],
    [{ type: 0x82, value: null }, { type: 'endOfMibView', value: null, error: 'endOfMibView' }],
    [{ type: 0x01, value: true }, { type: 'unknown', value: 'true' }],
  ])('%j → %j', (raw, shaped) => {
    const varbind = shapeVarbind({ oid: '1.3.6.1.9', ...raw });
    expect(varbind).toEqual({ oid: '1.3.6.1.9', ...shaped });
    expect(JSON.parse(JSON.stringify(varbind))).toEqual(varbind);
  });

  test('control characters make an octet string hex, so nothing invisible hides in text', () => {
    expect(renderOctets(text('a\u001bb')).encoding).toBe('hex');
    expect(renderOctets(text('a\u0085b')).encoding).toBe('hex');
    expect(renderOctets(text('\r\n')).encoding).toBe('text');
  });
});

describe('walk paging', () => {
  const root = '1.3.6.1.2.1.2.2.1.2';
  const vb = (oid: string): SnmpVarbind => ({ oid, type: 'OctetString', value: oid, encoding: 'text' });

  test('rows in the subtree are kept; the walk goes on after the last one', () => {
    expect(walkPage(root, root, [vb(`${root}.1`), vb(`${root}.2`)], 10)).toEqual({ rows: [vb(`${root}.1`), vb(`${root}.2`)], next: `${root}.2` });
  });

  test('leaving the subtree or the end of the MIB ends it', () => {
    expect(walkPage(root, `${root}.2`, [vb(`${root}.3`), vb('1.3.6.1.2.1.2.2.1.3.1')], 10)).toEqual({ rows: [vb(`${root}.3`)], stop: 'end' });
    const end: SnmpVarbind = { oid: `${root}.3`, type: 'endOfMibView', value: null, error: 'endOfMibView' };
    expect(walkPage(root, `${root}.2`, [end], 10)).toEqual({ rows: [], stop: 'end' });
    expect(walkPage(root, root, [], 10)).toEqual({ rows: [], stop: 'end' });
    // A subtree's sibling that shares its text prefix is outside it.
    expect(walkPage('1.3.6.1.2.1.1', '1.3.6.1.2.1.1.9', [vb('1.3.6.1.2.1.10.1')], 10).stop).toBe('end');
  });

  test('a full page stops at maxRows only when there is more to come', () => {
    expect(walkPage(root, root, [vb(`${root}.1`), vb(`${root}.2`), vb(`${root}.3`)], 2)).toEqual({ rows: [vb(`${root}.1`), vb(`${root}.2`)], stop: 'maxRows' });
    expect(walkPage(root, root, [vb(`${root}.1`), vb(`${root}.2`), vb('1.3.6.1.2.1.2.2.1.3.1')], 2)).toEqual({ rows: [vb(`${root}.1`), vb(`${root}.2`)], stop: 'end' });
    expect(walkPage(root, `${root}.2`, [vb(`${root}.3`)], 0)).toEqual({ rows: [], stop: 'maxRows' });
  });

  test('an agent that answers the same or an earlier OID is stopped before it loops', () => {
    expect(walkPage(root, `${root}.5`, [vb(`${root}.5`)], 10)).toEqual({ rows: [], stop: 'oidNotIncreasing' });
    expect(walkPage(root, `${root}.5`, [vb(`${root}.6`), vb(`${root}.4`)], 10)).toEqual({ rows: [vb(`${root}.6`)], stop: 'oidNotIncreasing' });
    expect(walkPage(root, `${root}.9`, [vb(`${root}.10`)], 10).next).toBe(`${root}.10`); // numeric, not text, order
  });

  test('limits have defaults and bounds', () => {
    expect(walkLimits()).toEqual({ maxRepetitions: 20, maxRows: 1000, deadlineMs: 30_000 });
    expect(walkLimits({ maxRows: 5 })).toEqual({ maxRepetitions: 20, maxRows: 5, deadlineMs: 30_000 });
    expect(() => walkLimits({ maxRows: 0 })).toThrow('maxRows is a whole number from 1 to 10000; got 0');
    expect(() => walkLimits({ maxRepetitions: 2.5 })).toThrow(SnmpInputError);
    expect(() => walkLimits({ deadlineMs: 10 * 60_000 + 1 })).toThrow(/deadlineMs/);
  });

  test('each GETBULK asks for one more row than there is room for, within maxRepetitions', () => {
    const limits = walkLimits({ maxRepetitions: 10, maxRows: 25 });
    expect([0, 10, 20, 24, 25].map((rows) => repetitionsFor(limits, rows))).toEqual([10, 10, 6, 2, 1]);
  });
});

describe('set values are checked against their type before anything is sent', () => {
  const one = (type: string, value: unknown, extra: Record<string, unknown> = {}) => prepareSet([{ oid: '1.3.6.1.2.1.1.4.0', type, value, ...extra }])[0]!;

  test.each([
    ['Integer', -2147483648, -2147483648, 0x02],
    ['Integer32', '2147483647', 2147483647, 0x02],
    ['Counter32', 0, 0, 0x41],
    ['Gauge32', '4294967295', 4294967295, 0x42],
    ['Unsigned32', 12, 12, 0x42],
    ['TimeTicks', 360000, 360000, 0x43],
    ['IpAddress', '192.0.2.10', '192.0.2.10', 0x40],
    ['ObjectIdentifier', '.1.3.6.1.4.1.8072', '1.3.6.1.4.1.8072', 0x06],
  ])('%s %j', (type, value, prepared, tag) => {
    expect(one(type, value)).toEqual({ oid: '1.3.6.1.2.1.1.4.0', type, tag, value: prepared });
  });

  test('octet strings as UTF-8 text or as hex bytes', () => {
    expect(one('OctetString', 'Zürich').value).toEqual(text('Zürich'));
    expect(one('OctetString', '').value).toEqual(bytes());
    expect(one('OctetString', '00:1A:2b', { encoding: 'hex' }).value).toEqual(bytes(0x00, 0x1a, 0x2b));
    expect(one('OctetString', '001a2b', { encoding: 'hex' }).value).toEqual(bytes(0x00, 0x1a, 0x2b));
    expect(() => one('OctetString', '0:1a', { encoding: 'hex' })).toThrow(/hex bytes/);
    expect(() => one('OctetString', 'x'.repeat(65536))).toThrow(/at most 65535 bytes/);
    expect(() => one('Integer', 5, { encoding: 'hex' })).toThrow(/only for an OctetString/);
  });

  test('Counter64 up to 2^64-1, as BER content bytes', () => {
    expect(one('Counter64', 0).value).toEqual(bytes(0));
    expect(one('Counter64', 255).value).toEqual(bytes(0x00, 0xff));
    expect(one('Counter64', '18446744073709551615').value).toEqual(bytes(0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(() => one('Counter64', '18446744073709551616')).toThrow(/0 to 18446744073709551615/);
  });

  test.each([
    ['Integer', 2147483648],
    ['Integer', 1.5],
    ['Integer', '12abc'],
    ['Integer', true],
    ['Counter32', -1],
    ['Gauge32', 4294967296],
    ['TimeTicks', Number.MAX_SAFE_INTEGER + 2],
    ['OctetString', 42],
    ['IpAddress', '256.0.0.1'],
    ['IpAddress', '10.0.0'],
    ['IpAddress', '010.0.0.1'],
    ['ObjectIdentifier', 'sysName'],
  ])('%s %j is refused, naming the OID', (type, value) => {
    expect(() => one(type, value)).toThrow(new RegExp(`^varbind 1 \\(1\\.3\\.6\\.1\\.2\\.1\\.1\\.4\\.0\\): a ${type} value is `));
  });

  test('the list, the OIDs and the types are checked too', () => {
    expect(() => prepareSet([])).toThrow('set needs a list of at least one { oid, type, value }');
    expect(() => prepareSet([{ oid: '1.3.6.1.2.1.1.4.0', type: 'String', value: 'x' }])).toThrow(/type 'String' is not one of Integer, Integer32, OctetString/);
    expect(() => prepareSet([{ oid: 'sysContact.0', type: 'OctetString', value: 'x' }])).toThrow(/^varbind 1: OID 'sysContact.0' is not a numeric OID/);
    expect(() =>
      prepareSet([
        { oid: '1.3.6.1.2.1.1.4.0', type: 'OctetString', value: 'a' },
        { oid: '.1.3.6.1.2.1.1.4.0', type: 'OctetString', value: 'b' },
      ]),
    ).toThrow('varbind 2 (1.3.6.1.2.1.1.4.0): the same OID twice in one set');
    expect(() => prepareSet([null])).toThrow(/varbind 1 must be/);
    expect(() => prepareSet(Array.from({ length: 33 }, (_, i) => ({ oid: `1.3.6.1.${i}`, type: 'Integer', value: 1 })))).toThrow('at most 32');
  });
});

describe('errors and credentials', () => {
  test('error statuses by their RFC 3416 names, with what they mean', () => {
    expect([4, 6, 7, 16, 17, 99].map(errorStatusName)).toEqual(['readOnly', 'noAccess', 'wrongType', 'authorizationError', 'notWritable', 'genErr']);
    expect(agentErrorMessage('set', 'notWritable', '1.3.6.1.2.1.1.5.0')).toBe("set refused by the agent: notWritable on 1.3.6.1.2.1.1.5.0 (the object cannot be set (read-only, not implemented for SET, or fixed in the agent's configuration))");
    expect(agentErrorMessage('get', 'genErr')).toBe('get refused by the agent: genErr');
  });

  test('input errors are permanent, and their names are in the non-retryable list', () => {
    let error: SnmpInputError | undefined;
    try {
      normalizeOid('x');
    } catch (e) {
      error = e as SnmpInputError;
    }
    if (!error) throw new Error('normalizeOid accepted x');
    expect(error).toBeInstanceOf(SnmpPermanentError);
    expect(error.retryable).toBe(false);
    expect(SNMP_NON_RETRYABLE_ERROR_TYPES).toContain(error.name);
  });

  test('a credential must be an SNMP one with the keys its security level needs', () => {
    const v3 = { id: 'c1', name: 'sw', kind: 'snmp_v3', username: 'ops', securityLevel: 'authPriv', authProtocol: 'sha', privProtocol: 'aes', authKey: 'a-key-123', privKey: 'p-key-123' } as ResolvedCredential;
    expect(snmpCredentialProblem(v3)).toBeUndefined();
    expect(snmpCredentialProblem({ ...v3, privKey: undefined } as ResolvedCredential)).toBe('credential sw is authPriv but has no privKey');
    expect(snmpCredentialProblem({ ...v3, securityLevel: 'authNoPriv', privKey: undefined } as ResolvedCredential)).toBeUndefined();
    expect(snmpCredentialProblem({ id: 'c2', name: 'lab', kind: 'snmp_community', community: 'public' })).toBeUndefined();
    expect(snmpCredentialProblem({ id: 'c3', name: 'box', kind: 'ssh_password', username: 'root', password: 'x' })).toBe('credential box is ssh_password, not an SNMP credential (snmp_community or snmp_v3)');
  });

  test('a target needs an address, a port and a timeout', () => {
    expect(() => checkTarget({ address: '127.0.0.1', port: 161, timeoutMs: 1000 })).not.toThrow();
    expect(() => checkTarget({ address: ' ', port: 161, timeoutMs: 1000 })).toThrow(/needs an address/);
    expect(() => checkTarget({ address: 'sw1', port: 70000, timeoutMs: 1000 })).toThrow(/port is a whole number from 1 to 65535; got 70000/);
    expect(() => checkTarget({ address: 'sw1', port: 161, timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import { get, set, SnmpAgentError, SnmpAuthError, SnmpCredentialError, SnmpInputError, SnmpNoResponse, SnmpPermanentError, SnmpResponseError, type SnmpTarget, walk } from '../../activities/automation/snmpOps';
import { SNMP_NON_RETRYABLE_ERROR_TYPES } from '../../domain/automation/snmp';
import type { ResolvedCredential } from '../../domain/credential';
import { freePort } from '../../runtime/ports';
import { type Snmpd, startSnmpd } from '../setup/snmpd';

// The runbook steps' SNMP operations against a real Net-SNMP agent that accepts SETs
// (v2c read-only and read-write communities, a v3 authPriv user), plus two small UDP
// responders for what snmpd never does: answer in a circle, answer garbage.

const SYS = '1.3.6.1.2.1.1';
const OID = { sysDescr: `${SYS}.1.0`, sysObjectID: `${SYS}.2.0`, sysUpTime: `${SYS}.3.0`, sysContact: `${SYS}.4.0`, sysName: `${SYS}.5.0`, sysLocation: `${SYS}.6.0`, snmpEnableAuthenTraps: '1.3.6.1.2.1.11.30.0' };
const IF_TABLE = '1.3.6.1.2.1.2.2';
const IF_DESCR = `${IF_TABLE}.1.2`;
const IF_HC_IN_OCTETS = '1.3.6.1.2.1.31.1.1.1.6';

let agent: Snmpd;
let target: SnmpTarget;
let ro: ResolvedCredential & { kind: 'snmp_community' };
let rw: ResolvedCredential & { kind: 'snmp_community' };
let v3: ResolvedCredential & { kind: 'snmp_v3' };

beforeAll(async () => {
  agent = await startSnmpd({ writable: true, sysName: 'ops-agent-1' });
  target = { address: agent.host, port: agent.port, timeoutMs: 1000 };
  ro = { id: 'cred-ro', name: 'lab-ro', kind: 'snmp_community', community: agent.community };
  rw = { id: 'cred-rw', name: 'lab-rw', kind: 'snmp_community', community: agent.rwCommunity! };
  v3 = { id: 'cred-v3', name: 'lab-v3', kind: 'snmp_v3', username: agent.v3.username, securityLevel: 'authPriv', authProtocol: 'sha', privProtocol: 'aes', authKey: agent.v3.authKey, privKey: agent.v3.privKey };
}, 30_000);

afterAll(async () => {
  await agent?.stop();
});

/** The error a promise rejects with (the test fails if it resolves). */
async function failure(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure, got a result');
}

const expectPermanent = (error: Error) => {
  expect(error).toBeInstanceOf(SnmpPermanentError);
  expect(SNMP_NON_RETRYABLE_ERROR_TYPES).toContain(error.name);
};

describe('get', () => {
  test.each(['v2c', 'v3 authPriv'])('over %s: values by OID in order, a missing object or instance reported in its place', async (version) => {
    const credential = version === 'v2c' ? ro : v3;
    const missingObject = `${SYS}.99.0`;
    const missingInstance = `${SYS}.5.1`;
    const result = await get(target, credential, [OID.sysName, OID.sysDescr, missingObject, OID.sysObjectID, OID.sysUpTime, missingInstance]);
    expect(result).toEqual([
      { oid: OID.sysName, type: 'OctetString', value: 'ops-agent-1', encoding: 'text' },
      { oid: OID.sysDescr, type: 'OctetString', value: expect.stringContaining(os.release()), encoding: 'text' },
      { oid: missingObject, type: 'noSuchObject', value: null, error: 'noSuchObject' },
      { oid: OID.sysObjectID, type: 'ObjectIdentifier', value: '1.3.6.1.4.1.8072.3.2.10' },
      { oid: OID.sysUpTime, type: 'TimeTicks', value: expect.any(Number) },
      { oid: missingInstance, type: 'noSuchInstance', value: null, error: 'noSuchInstance' },
    ]);
    expect(result[1]!.value).toMatch(/^Linux /);
  });

  test('bad OIDs are refused before anything is sent', async () => {
    const error = await failure(get(target, ro, [OID.sysName, 'SNMPv2-MIB::sysName.0']));
    expect(error).toBeInstanceOf(SnmpInputError);
    expect(error.message).toBe("OID 2 'SNMPv2-MIB::sysName.0' is not a numeric OID (at least two numbers joined by dots, such as 1.3.6.1.2.1.1.5.0): MIB names are not resolved, use the numeric OID");
  });
});

describe('walk', () => {
  test('the system group over v2c and v3: the whole subtree, in order, however many per GETBULK', async () => {
    const whole = await walk(target, ro, SYS);
    expect(whole).toMatchObject({ root: SYS, truncated: false, stoppedBy: 'end' });
    const oids = whole.rows.map((r) => r.oid);
    expect(oids).toEqual(expect.arrayContaining([OID.sysDescr, OID.sysObjectID, OID.sysUpTime, OID.sysContact, OID.sysName, OID.sysLocation]));
    expect(oids.every((oid) => oid.startsWith(`${SYS}.`))).toBe(true);
    for (let i = 1; i < oids.length; i++) expect(compareArcs(oids[i - 1]!, oids[i]!)).toBeLessThan(0);
    expect(whole.rows.find((r) => r.oid === OID.sysName)).toEqual({ oid: OID.sysName, type: 'OctetString', value: 'ops-agent-1', encoding: 'text' });

    const oneByOne = await walk(target, v3, SYS, { maxRepetitions: 1 });
    expect(oneByOne.rows.map((r) => r.oid)).toEqual(oids);
    expect(oneByOne.requests).toBeGreaterThanOrEqual(oids.length);
    expect(whole.requests).toBeLessThan(oneByOne.requests);
  });

  test('ifTable: a column per interface of this machine; maxRows cuts it and says so', async () => {
    const table = await walk(target, v3, IF_TABLE, { maxRepetitions: 50 });
    expect(table).toMatchObject({ truncated: false, stoppedBy: 'end' });
    const names = table.rows.filter((r) => r.oid.startsWith(`${IF_DESCR}.`)).map((r) => r.value);
    expect([...names].sort()).toEqual(fs.readdirSync('/sys/class/net').sort());

    const cut = await walk(target, ro, IF_TABLE, { maxRepetitions: 2, maxRows: 5 });
    expect(cut).toMatchObject({ truncated: true, stoppedBy: 'maxRows', requests: 3 });
    expect(cut.rows).toEqual(table.rows.slice(0, 5));

    // Exactly as many rows as there are: nothing was cut.
    const exact = await walk(target, ro, IF_DESCR, { maxRows: names.length });
    expect(exact).toMatchObject({ truncated: false, stoppedBy: 'end' });
    expect(exact.rows.map((r) => r.value)).toEqual(names);
  });

  test('64-bit counters come back as decimal strings', async () => {
    const counters = await walk(target, ro, IF_HC_IN_OCTETS);
    expect(counters.rows.length).toBeGreaterThan(0);
    for (const row of counters.rows) expect(row).toEqual({ oid: expect.stringMatching(/^1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.6\.\d+$/), type: 'Counter64', value: expect.stringMatching(/^\d+$/) });
  });

  test('the deadline ends a long walk with what arrived by then', async () => {
    const started = Date.now();
    const long = await walk(target, ro, '1.3.6.1', { maxRepetitions: 1, maxRows: 10_000, deadlineMs: 300 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(long).toMatchObject({ truncated: true, stoppedBy: 'deadline' });
    expect(long.rows.length).toBeGreaterThan(0);
    expect(long.rows.length).toBe(long.requests);
  });

  test('an agent that answers OIDs that do not increase is stopped instead of walked in a circle', async () => {
    // First two rows, then the first row again for ever after.
    const loop = await startResponder((request, n) => response(request, n === 1 ? [`${IF_DESCR}.1`, `${IF_DESCR}.2`] : [`${IF_DESCR}.1`]));
    try {
      const result = await walk({ address: '127.0.0.1', port: loop.port, timeoutMs: 500 }, ro, IF_DESCR, { deadlineMs: 5000 });
      expect(result).toMatchObject({ truncated: true, stoppedBy: 'oidNotIncreasing', requests: 2 });
      expect(result.rows).toEqual([
        { oid: `${IF_DESCR}.1`, type: 'OctetString', value: 'eth', encoding: 'text' },
        { oid: `${IF_DESCR}.2`, type: 'OctetString', value: 'eth', encoding: 'text' },
      ]);
      expect(loop.requests).toBe(2);
    } finally {
      loop.close();
    }
  });

  test('an answer that is not SNMP at all is a permanent error, not a crash', async () => {
    const garbage = await startResponder(() => Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
    try {
      const error = await failure(walk({ address: '127.0.0.1', port: garbage.port, timeoutMs: 200 }, ro, SYS));
      expect(error).toBeInstanceOf(SnmpResponseError);
      expect(error.message).toMatch(/answered walk with something that is not an SNMP message/);
      expectPermanent(error);
    } finally {
      garbage.close();
    }
  });

  test('limits out of range are refused', async () => {
    await expect(walk(target, ro, SYS, { maxRows: 0 })).rejects.toThrow('maxRows is a whole number from 1 to 10000; got 0');
    await expect(walk(target, ro, 'system')).rejects.toThrow(SnmpInputError);
  });
});

describe('set', () => {
  test('sysContact over v2c and sysLocation over v3, read back with get; an Integer enum', async () => {
    expect(await set(target, rw, [{ oid: OID.sysContact, type: 'OctetString', value: 'noc@bank.example' }])).toEqual([{ oid: OID.sysContact, type: 'OctetString', value: 'noc@bank.example', encoding: 'text' }]);
    await set(target, v3, [{ oid: OID.sysLocation, type: 'OctetString', value: 'DC-2, Zürich, rack 9' }]);
    expect(await get(target, ro, [OID.sysContact, OID.sysLocation])).toEqual([
      { oid: OID.sysContact, type: 'OctetString', value: 'noc@bank.example', encoding: 'text' },
      { oid: OID.sysLocation, type: 'OctetString', value: 'DC-2, Zürich, rack 9', encoding: 'text' },
    ]);

    // Both in one request; hex bytes arrive as bytes.
    await set(target, v3, [
      { oid: OID.sysContact, type: 'OctetString', value: '6f:70:73', encoding: 'hex' },
      { oid: OID.sysLocation, type: 'OctetString', value: 'DC-3' },
    ]);
    expect((await get(target, v3, [OID.sysContact, OID.sysLocation])).map((r) => r.value)).toEqual(['ops', 'DC-3']);

    // snmpEnableAuthenTraps: enabled(1) or disabled(2), disabled unless snmpd.conf says otherwise.
    expect(await get(target, rw, [OID.snmpEnableAuthenTraps])).toEqual([{ oid: OID.snmpEnableAuthenTraps, type: 'Integer', value: 2 }]);
    expect(await set(target, rw, [{ oid: OID.snmpEnableAuthenTraps, type: 'Integer', value: '1' }])).toEqual([{ oid: OID.snmpEnableAuthenTraps, type: 'Integer', value: 1 }]);
    expect((await get(target, v3, [OID.snmpEnableAuthenTraps]))[0]!.value).toBe(1);
  });

  test('read-only objects, the wrong type and a read-only community: the agent error status, naming the OID', async () => {
    const readOnly = (await failure(set(target, rw, [{ oid: OID.sysDescr, type: 'OctetString', value: 'x' }]))) as SnmpAgentError;
    expect(readOnly).toBeInstanceOf(SnmpAgentError);
    expect(readOnly).toMatchObject({ status: 'notWritable', oid: OID.sysDescr });
    expect(readOnly.message).toBe(`set refused by the agent: notWritable on ${OID.sysDescr} (the object cannot be set (read-only, not implemented for SET, or fixed in the agent's configuration))`);
    expectPermanent(readOnly);

    // sysName is in snmpd.conf, which makes it read-only; sysDescr never was writable.
    expect(await failure(set(target, v3, [{ oid: OID.sysName, type: 'OctetString', value: 'renamed' }]))).toMatchObject({ name: 'SnmpAgentError', status: 'notWritable', oid: OID.sysName });
    expect(await failure(set(target, rw, [{ oid: OID.sysContact, type: 'Integer', value: 5 }]))).toMatchObject({ status: 'wrongType', oid: OID.sysContact, message: expect.stringContaining('the agent expects another type') });
    expect(await failure(set(target, ro, [{ oid: OID.sysContact, type: 'OctetString', value: 'x' }]))).toMatchObject({ status: 'noAccess', oid: OID.sysContact, message: expect.stringContaining('read-only community or user') });
    expect(await failure(set(target, v3, [{ oid: OID.snmpEnableAuthenTraps, type: 'Integer', value: 7 }]))).toMatchObject({ status: 'wrongValue', oid: OID.snmpEnableAuthenTraps });

    // One refused object refuses the whole request: the first one did not change either.
    const before = await get(target, ro, [OID.sysLocation]);
    const second = await failure(
      set(target, rw, [
        { oid: OID.sysLocation, type: 'OctetString', value: 'never applied' },
        { oid: OID.sysDescr, type: 'OctetString', value: 'x' },
      ]),
    );
    expect(second).toMatchObject({ status: 'notWritable', oid: OID.sysDescr });
    expect(await get(target, ro, [OID.sysLocation])).toEqual(before);
  });

  test('a value that does not fit its type is refused before sending, naming the OID', async () => {
    const error = await failure(set(target, rw, [{ oid: OID.sysContact, type: 'Gauge32', value: -1 }]));
    expect(error).toBeInstanceOf(SnmpInputError);
    expect(error.message).toBe(`varbind 1 (${OID.sysContact}): a Gauge32 value is a whole number from 0 to 4294967295; got -1`);
  });
});

describe('errors are classified: retry no answer, not a refusal', () => {
  test('a wrong v3 authKey, privKey or user name is an auth error', async () => {
    const wrongAuth = await failure(get(target, { ...v3, authKey: 'not-the-auth-key' }, [OID.sysName]));
    expect(wrongAuth).toBeInstanceOf(SnmpAuthError);
    expect(wrongAuth.message).toBe(`${agent.host}:${agent.port} refused the get: the authKey or authProtocol (sha) of user '${agent.v3.username}' is wrong`);
    expectPermanent(wrongAuth);

    const wrongPriv = await failure(get(target, { ...v3, privKey: 'not-the-priv-key' }, [OID.sysName]));
    expect(wrongPriv).toBeInstanceOf(SnmpAuthError);
    expect(wrongPriv.message).toMatch(/answered SNMPv3 engine discovery but not the encrypted get .*the privKey or privProtocol \(aes\) is probably wrong/);

    const stranger = await failure(set(target, { ...v3, username: 'nobody' }, [{ oid: OID.sysContact, type: 'OctetString', value: 'x' }]));
    expect(stranger).toBeInstanceOf(SnmpAuthError);
    expect(stranger.message).toMatch(/refused the set: it has no SNMPv3 user 'nobody'/);
  });

  test('a credential of another kind, or without the keys its level needs, is refused before sending', async () => {
    const ssh = await failure(get(target, { id: 'c9', name: 'box-ssh', kind: 'ssh_password', username: 'root', password: 'x' }, [OID.sysName]));
    expect(ssh).toBeInstanceOf(SnmpCredentialError);
    expect(ssh.message).toBe('credential box-ssh is ssh_password, not an SNMP credential (snmp_community or snmp_v3)');
    expectPermanent(ssh);
    expect(await failure(walk(target, { ...v3, privKey: undefined }, SYS))).toBeInstanceOf(SnmpCredentialError);
  });

  test('a wrong community gets no answer (snmpd drops it), which is what a dead agent looks like too', async () => {
    const error = await failure(get({ ...target, timeoutMs: 300 }, { ...ro, community: 'not-the-community' }, [OID.sysName]));
    expect(error).toBeInstanceOf(SnmpNoResponse);
    expect(error).not.toBeInstanceOf(SnmpPermanentError);
    expect(error.message).toBe(`no SNMP answer from ${agent.host}:${agent.port} to get (2 attempts of 300 ms); over v2c a wrong community looks the same, the agent drops it without answering`);
  });

  test('nothing listening: no response over v2c and v3, for get, walk and set', async () => {
    const dead = { address: '127.0.0.1', port: await freePort(), timeoutMs: 200 };
    const errors = await Promise.all([get(dead, ro, [OID.sysName]), walk(dead, v3, SYS), set(dead, rw, [{ oid: OID.sysContact, type: 'OctetString', value: 'x' }]), set(dead, v3, [{ oid: OID.sysContact, type: 'OctetString', value: 'x' }])].map(failure));
    for (const error of errors) {
      expect(error).toBeInstanceOf(SnmpNoResponse);
      expect(error).not.toBeInstanceOf(SnmpPermanentError);
      expect(SNMP_NON_RETRYABLE_ERROR_TYPES).not.toContain(error.name);
    }
    expect(errors[0]!.message).toBe(`no SNMP answer from 127.0.0.1:${dead.port} to get (2 attempts of 200 ms); over v2c a wrong community looks the same, the agent drops it without answering`);
    expect(errors[3]!.message).toBe(`no SNMP answer from 127.0.0.1:${dead.port} to set (2 attempts of 200 ms); a SET without an answer may or may not have been applied`);
  });
});

function compareArcs(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

// ─── A tiny SNMPv2c responder, BER by hand ───────────────────────────────────────────

interface Responder {
  port: number;
  requests: number;
  close(): void;
}

interface Request {
  community: Buffer;
  requestId: Buffer;
}

/** Answers the n-th request (from 1) with `answer`. */
async function startResponder(answer: (request: Request, n: number) => Buffer): Promise<Responder> {
  const socket = dgram.createSocket('udp4');
  const responder = { port: 0, requests: 0, close: () => socket.close() };
  socket.on('message', (message, from) => {
    responder.requests++;
    const [, content] = tlv(message, 0); // SEQUENCE
    const [, , afterVersion] = tlv(content, 0);
    const [, community, afterCommunity] = tlv(content, afterVersion);
    const [, pdu] = tlv(content, afterCommunity);
    const [, requestId] = tlv(pdu, 0);
    socket.send(answer({ community, requestId }, responder.requests), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  responder.port = socket.address().port;
  return responder;
}

/** A GetResponse with an OctetString 'eth' at each OID, whatever was asked. */
function response(request: Request, oids: string[]): Buffer {
  const varbinds = oids.map((oid) => encode(0x30, Buffer.concat([encode(0x06, oidBytes(oid)), encode(0x04, Buffer.from('eth'))])));
  const pdu = encode(0xa2, Buffer.concat([encode(0x02, request.requestId), encode(0x02, Buffer.from([0])), encode(0x02, Buffer.from([0])), encode(0x30, Buffer.concat(varbinds))]));
  return encode(0x30, Buffer.concat([encode(0x02, Buffer.from([1])), encode(0x04, request.community), pdu]));
}

/** [tag, content, offset after] of the TLV at `offset`. */
function tlv(buffer: Buffer, offset: number): [number, Buffer, number] {
  const tag = buffer[offset]!;
  let length = buffer[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = buffer.readUIntBE(start, bytes);
    start += bytes;
  }
  return [tag, buffer.subarray(start, start + length), start + length];
}

function encode(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function oidBytes(oid: string): Buffer {
  const [a, b, ...rest] = oid.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return Buffer.from(out);
}

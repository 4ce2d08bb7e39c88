import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { alertIntake } from '../../api/alertCenter';
import { cmdbAccess } from '../../api/cmdb';
import { startTrapReceiver, type TrapReceiver, trapUsers } from '../../api/snmpTrapReceiver';
import { loadCatalog } from '../../runtime/catalog';
import { freePort } from '../../runtime/ports';
import { addUser, startTestApi, type TestApi, type TestUser, testLogger } from '../setup/harness';

// SNMP traps sent with Net-SNMP's real `snmptrap` (Debian package `snmp`), v1, v2c and v3, to
// the trap receiver on a free UDP port: mapped to alerts by the shipped trap rules, keyed
// by source and ifIndex, linkUp clearing linkDown, enriched by the source address, and
// refused with a wrong community; v3 traps accepted from a user stored as a credential, and
// refused with a wrong key or an unknown user.

const run = promisify(execFile);
const SNMPTRAP = '/usr/bin/snmptrap';
const catalog = loadCatalog();

let api: TestApi;
let receiver: TrapReceiver;
let port: number;
let viewer: TestUser;
let deviceId: string;

const V3 = { username: 'trapper', authKey: 'auth-pass-0001', privKey: 'priv-pass-0001' };

/** Sends a trap and waits until the receiver has handled it. */
async function trap(args: string[], community = 'public'): Promise<void> {
  await send(['-c', community, ...args.slice(0, 2)], args.slice(2));
}

/** A v3 trap from an engine of its own (the sender is authoritative for traps), authPriv with SHA and AES. */
async function trapV3(varbinds: string[], keys = V3): Promise<void> {
  await send(['-v', '3', '-e', '0x80001f8880feedface01', '-u', keys.username, '-l', 'authPriv', '-a', 'SHA', '-A', keys.authKey, '-x', 'AES', '-X', keys.privKey], ['', ...varbinds]);
}

async function send(options: string[], trapArgs: string[]): Promise<void> {
  const handled = receiver.counts.stored + receiver.counts.failed + receiver.counts.dropped;
  await run(SNMPTRAP, ['-M', '/dev/null', '-m', '', ...options, `127.0.0.1:${port}`, ...trapArgs]);
  const until = Date.now() + 10_000;
  while (receiver.counts.stored + receiver.counts.failed + receiver.counts.dropped === handled) {
    if (Date.now() > until) throw new Error('the trap did not arrive');
    await new Promise((r) => setTimeout(r, 50));
  }
  await receiver.idle();
}

async function alerts(): Promise<any[]> {
  const res = await fetch(`${api.baseUrl}/api/v1/alerts?source=snmp&state=firing,resolved`, { headers: { authorization: viewer.bearer } });
  return ((await res.json()) as { items: any[] }).items;
}

beforeAll(async () => {
  api = await startTestApi();
  viewer = await addUser(api.db, 'vera', ['auditor', 'cmdb_editor']);
  const ci = await fetch(`${api.baseUrl}/api/v1/cmdb/cis`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: viewer.bearer }, body: JSON.stringify({ class: 'network_device', attributes: { name: 'sw-lab', primary_ip: '127.0.0.1', role: 'switch' } }) });
  deviceId = ((await ci.json()) as { id: string }).id;
  const admin = await addUser(api.db, 'root', ['admin']);
  const credential = await fetch(`${api.baseUrl}/api/v1/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: admin.bearer },
    body: JSON.stringify({ name: 'trap-v3', kind: 'snmp_v3', username: V3.username, securityLevel: 'authPriv', authProtocol: 'sha', authKey: V3.authKey, privProtocol: 'aes', privKey: V3.privKey }),
  });
  expect(credential.status).toBe(201);
  port = await freePort();
  const intake = alertIntake({ db: api.db, temporal: api.client, taskQueue: api.taskQueue, logger: testLogger(), catalog, cmdb: cmdbAccess(api.db, catalog.cmdb) });
  const users = await trapUsers(api.db, async () => api.masterKey, ['trap-v3']);
  receiver = startTrapReceiver({ db: api.db, intake, rules: catalog.trapRules, host: '127.0.0.1', port, communities: ['public'], users, logger: testLogger() });
}, 90_000);

afterAll(async () => {
  await receiver?.close();
  await api?.stop();
});

test('a v2c linkDown opens an alert keyed by source and ifIndex, on the CI of the source address; linkUp resolves it', async () => {
  await trap(['-v', '2c', '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.7', 'i', '7', '1.3.6.1.2.1.2.2.1.2.7', 's', 'eth7', '1.3.6.1.2.1.2.2.1.8.7', 'i', '2']);
  const [down] = await alerts();
  expect(down).toMatchObject({ source: 'snmp', sender: 'snmp-traps', name: 'LinkDown', severity: 'major', state: 'firing', nativeKey: '127.0.0.1|1.3.6.1.6.3.1.1.5.3|7', ciId: deviceId });
  expect(down.labels).toMatchObject({ alertname: 'LinkDown', ifIndex: '7', ifDescr: 'eth7', ifOperStatus: '2', source: '127.0.0.1', trap_oid: '1.3.6.1.6.3.1.1.5.3' });
  expect(down.summary).toBe('LinkDown from 127.0.0.1 (ifIndex 7)');
  // Another interface is another alert; its linkUp leaves ifIndex 7 down.
  await trap(['-v', '2c', '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.8', 'i', '8']);
  await trap(['-v', '2c', '', '1.3.6.1.6.3.1.1.5.4', '1.3.6.1.2.1.2.2.1.1.8', 'i', '8']);
  const byIndex = Object.fromEntries((await alerts()).map((a) => [a.labels.ifIndex, a.state]));
  expect(byIndex).toEqual({ '7': 'firing', '8': 'resolved' });
  await trap(['-v', '2c', '', '1.3.6.1.6.3.1.1.5.4', '1.3.6.1.2.1.2.2.1.1.7', 'i', '7']);
  expect(Object.fromEntries((await alerts()).map((a) => [a.labels.ifIndex, a.state]))).toEqual({ '7': 'resolved', '8': 'resolved' });
});

test('a v1 linkDown (generic trap 2) is mapped to the SNMPv2 linkDown OID; the same trap again counts', async () => {
  const v1 = ['-v', '1', '1.3.6.1.4.1.8072.2.3', '127.0.0.1', '2', '0', '', '1.3.6.1.2.1.2.2.1.1.3', 'i', '3'];
  await trap(v1);
  await trap(v1);
  const found = (await alerts()).find((a) => a.labels.ifIndex === '3');
  expect(found).toMatchObject({ name: 'LinkDown', state: 'firing', nativeKey: '127.0.0.1|1.3.6.1.6.3.1.1.5.3|3', count: 2 });
  expect(found.annotations['1.3.6.1.6.3.1.1.4.3.0']).toBe('1.3.6.1.4.1.8072.2.3');
});

test('a trap OID no rule names is a warning named after it; a wrong community is refused and stores nothing', async () => {
  await trap(['-v', '2c', '', '1.3.6.1.4.1.99999.0.1', '1.3.6.1.4.1.99999.1.1.0', 's', 'fan 2 failed']);
  const unknown = (await alerts()).find((a) => a.labels.trap_oid === '1.3.6.1.4.1.99999.0.1');
  expect(unknown).toMatchObject({ name: 'trap 1.3.6.1.4.1.99999.0.1', severity: 'warning' });
  expect(unknown.annotations['1.3.6.1.4.1.99999.1.1.0']).toBe('fan 2 failed');
  const before = (await alerts()).length;
  const failed = receiver.counts.failed;
  await trap(['-v', '2c', '', '1.3.6.1.6.3.1.1.5.1'], 'wrong-community');
  expect(receiver.counts.failed).toBe(failed + 1);
  expect((await alerts()).length).toBe(before);
});

test('a v3 authPriv trap from the stored user is accepted; a wrong key or an unknown user is refused', async () => {
  await trapV3(['1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.21', 'i', '21']);
  expect((await alerts()).find((a) => a.labels.ifIndex === '21')).toMatchObject({ name: 'LinkDown', state: 'firing', ciId: deviceId });
  const before = (await alerts()).length;
  for (const keys of [{ ...V3, authKey: 'wrong-pass-0001' }, { ...V3, username: 'stranger' }]) {
    const failed = receiver.counts.failed;
    await trapV3(['1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.22', 'i', '22'], keys);
    expect(receiver.counts.failed).toBe(failed + 1);
  }
  expect((await alerts()).length).toBe(before);
});

test('trap users must be stored snmp_v3 credentials; start-up names the missing ones', async () => {
  await expect(trapUsers(api.db, async () => api.masterKey, ['trap-v3', 'nobody'])).rejects.toThrow('FLOWDESK_SNMP_TRAP_USERS names nobody, which is not stored snmp_v3 credentials; create it under Credentials first');
});

import { execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import { freePort } from '../../runtime/ports';
import { hasExited, readFile, removeDir, spawnDaemon, stopDaemon, tail } from './daemon';

/**
 * A real OpenLDAP `slapd` (Debian package `slapd`) for one test file: its own cn=config
 * and mdb database in a temp directory, on a free loopback port, seeded with the users
 * and groups below. `stop()` ends it and removes the directory (FLOWDESK_TEST_KEEP=1
 * keeps it, with the log, for a post-mortem).
 *
 * The directory is deliberately permissive where real ones often are:
 * - `olcAllows: bind_anon_dn`: a bind with a DN and an empty password succeeds, as an
 *   anonymous "unauthenticated bind" (Active Directory behaves like this too), so a
 *   client that forwards an empty password logs anyone in;
 * - everything but userPassword is readable anonymously.
 * The memberof overlay maintains `memberOf` on users, as Active Directory does.
 * slapd logs at level `stats` (one line per connection and operation) to `logFile`.
 */
export interface Slapd {
  url: string;
  baseDn: string;
  adminDn: string;
  adminPassword: string;
  /** A service account that may search users and groups. */
  serviceDn: string;
  servicePassword: string;
  logFile: string;
  /** slapd's log so far (stats level: every BIND, SRCH with its filter, RESULT). */
  readLog(): string;
  stop(): Promise<void>;
}

export const SLAPD_BASE_DN = 'dc=flowdesk,dc=test';

/** The seeded people: `uid=<key>,ou=people,dc=flowdesk,dc=test`. */
export const SLAPD_USERS = {
  alice: { password: 'Alice-pass-1', cn: 'Alice Example', displayName: 'Alice Agent', mail: 'alice@flowdesk.test', groups: ['network-ops', 'service-desk'] },
  // No displayName and no mail: exercises the cn fallback and a null email.
  bob: { password: 'Bob-pass-1', cn: 'Bob Builder', displayName: null, mail: null, groups: ['network-ops'] },
  // Also exists as uid=carol,ou=contractors: a search from the base DN finds two entries.
  carol: { password: 'Carol-pass-1', cn: 'Carol Contractor', displayName: null, mail: null, groups: [] },
} as const;

export function userDn(uid: keyof typeof SLAPD_USERS): string {
  return `uid=${uid},ou=people,${SLAPD_BASE_DN}`;
}

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SCHEMAS = ['core', 'cosine', 'inetorgperson'].map((name) => `/etc/ldap/schema/${name}.ldif`);
const READY_TIMEOUT_MS = 15_000;

export async function startSlapd(): Promise<Slapd> {
  for (const file of [SLAPD, SLAPADD, ...SCHEMAS]) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: the LDAP tests need OpenLDAP's server (Debian: DEBIAN_FRONTEND=noninteractive apt-get install -y slapd)`);
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowdesk-slapd-'));
  const adminPassword = `admin-${randomBytes(6).toString('hex')}`;
  const servicePassword = `svc-${randomBytes(6).toString('hex')}`;
  const adminDn = `cn=admin,${SLAPD_BASE_DN}`;
  const serviceDn = `cn=flowdesk-svc,ou=services,${SLAPD_BASE_DN}`;
  const logFile = path.join(dir, 'slapd.log');
  try {
    const configDir = path.join(dir, 'slapd.d');
    const dataDir = path.join(dir, 'data');
    fs.mkdirSync(configDir);
    fs.mkdirSync(dataDir);
    const configLdif = path.join(dir, 'config.ldif');
    fs.writeFileSync(configLdif, configLdifText({ dir, dataDir, adminDn, adminPassword }));
    try {
      await promisify(execFile)(SLAPADD, ['-n0', '-F', configDir, '-l', configLdif]);
    } catch (error) {
      const { stderr, message } = error as { stderr?: string; message: string };
      throw new Error(`slapadd could not build the cn=config in ${configDir}: ${stderr?.trim() || message}`, { cause: error });
    }

    // A free port can be taken between asking and binding; try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const url = `ldap://127.0.0.1:${port}`;
      const child = spawnSlapd(port, configDir, logFile);
      const stop = () => stopDaemon(child, dir, 'slapd');
      try {
        await waitReady(child, url, adminDn, adminPassword, logFile);
      } catch (error) {
        await stopDaemon(child);
        if (attempt < 3 && /Address already in use|bind\(.*\) failed/i.test(readFile(logFile))) continue;
        throw error;
      }
      try {
        await seed(url, adminDn, adminPassword, serviceDn, servicePassword);
      } catch (error) {
        await stop();
        throw new Error(`seeding slapd at ${url} failed: ${(error as Error).message}\n${tail(logFile)}`, { cause: error });
      }
      return { url, baseDn: SLAPD_BASE_DN, adminDn, adminPassword, serviceDn, servicePassword, logFile, readLog: () => readFile(logFile), stop };
    }
  } catch (error) {
    removeDir(dir, 'slapd');
    throw error;
  }
}

function spawnSlapd(port: number, configDir: string, logFile: string): ChildProcess {
  // -d keeps slapd in the foreground (no fork), logging to stderr. Running as root needs
  // no -u/-g: every file it touches is in our temp directory.
  return spawnDaemon(SLAPD, ['-d', 'stats', '-h', `ldap://127.0.0.1:${port}/`, '-F', configDir], logFile);
}

async function waitReady(child: ChildProcess, url: string, adminDn: string, adminPassword: string, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = 'not started';
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      throw new Error(`slapd exited during start-up (${child.exitCode ?? child.signalCode}). Log ${logFile}:\n${tail(logFile)}`);
    }
    const client = new Client({ url, connectTimeout: 1000, timeout: 1000 });
    try {
      await client.bind(adminDn, adminPassword);
      return;
    } catch (error) {
      lastError = (error as Error).message;
    } finally {
      await client.unbind().catch(() => undefined);
    }
    await sleep(50);
  }
  throw new Error(`slapd at ${url} did not accept a bind within ${READY_TIMEOUT_MS / 1000} s (${lastError}). Log ${logFile}:\n${tail(logFile)}`);
}





/** RFC 2307 {SSHA}: base64(SHA-1(password + salt) + salt). */
export function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function configLdifText(o: { dir: string; dataDir: string; adminDn: string; adminPassword: string }): string {
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${path.join(o.dir, 'slapd.pid')}
olcAllows: bind_anon_dn

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: memberof

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

${SCHEMAS.map((file) => `include: file://${file}`).join('\n')}

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${SLAPD_BASE_DN}
olcRootDN: ${o.adminDn}
olcRootPW: ${ssha(o.adminPassword)}
olcDbDirectory: ${o.dataDir}
olcDbMaxSize: 33554432
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: member eq
olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {1}to * by * read

dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {0}memberof
`;
}

async function seed(url: string, adminDn: string, adminPassword: string, serviceDn: string, servicePassword: string): Promise<void> {
  const client = new Client({ url, timeout: 5000, connectTimeout: 5000 });
  try {
    await client.bind(adminDn, adminPassword);
    await client.add(SLAPD_BASE_DN, { objectClass: ['dcObject', 'organization'], dc: 'flowdesk', o: 'FlowDesk' });
    for (const ou of ['people', 'contractors', 'groups', 'services']) {
      await client.add(`ou=${ou},${SLAPD_BASE_DN}`, { objectClass: 'organizationalUnit', ou });
    }
    await client.add(serviceDn, { objectClass: ['applicationProcess', 'simpleSecurityObject'], cn: 'flowdesk-svc', userPassword: ssha(servicePassword) });
    for (const [uid, user] of Object.entries(SLAPD_USERS)) {
      const attributes: Record<string, string | string[]> = {
        objectClass: 'inetOrgPerson',
        uid,
        cn: user.cn,
        sn: user.cn.split(' ').pop() as string,
        userPassword: ssha(user.password),
      };
      if (user.displayName) attributes.displayName = user.displayName;
      if (user.mail) attributes.mail = user.mail;
      await client.add(userDn(uid as keyof typeof SLAPD_USERS), attributes);
    }
    await client.add(`uid=carol,ou=contractors,${SLAPD_BASE_DN}`, {
      objectClass: 'inetOrgPerson',
      uid: 'carol',
      cn: 'Carol Other',
      sn: 'Other',
      userPassword: ssha('Other-carol-1'),
    });
    const groups = new Map<string, string[]>();
    for (const [uid, user] of Object.entries(SLAPD_USERS)) {
      for (const group of user.groups) groups.set(group, [...(groups.get(group) ?? []), userDn(uid as keyof typeof SLAPD_USERS)]);
    }
    for (const [cn, members] of groups) {
      await client.add(`cn=${cn},ou=groups,${SLAPD_BASE_DN}`, { objectClass: 'groupOfNames', cn, member: members });
    }
  } finally {
    await client.unbind().catch(() => undefined);
  }
}



import net from 'node:net';
import { Client } from 'ldapts';
import { ldapAuthenticate, LdapLoginRejected, LdapUnavailable, type LdapSettings } from '../../api/auth/ldap';
import { freePort } from '../../runtime/ports';
import { SLAPD_USERS, startSlapd, userDn, type Slapd } from '../setup/slapd';

/** Runs against a real OpenLDAP slapd (test/setup/slapd.ts), one per file. */
let slapd: Slapd;
let settings: LdapSettings;

beforeAll(async () => {
  slapd = await startSlapd();
  settings = {
    url: slapd.url,
    bindDn: slapd.serviceDn,
    bindPassword: slapd.servicePassword,
    userSearchBase: `ou=people,${slapd.baseDn}`,
    userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
    groupSearchBase: `ou=groups,${slapd.baseDn}`,
    groupFilter: '(&(objectClass=groupOfNames)(member={dn}))',
    timeoutMs: 3000,
  };
});

afterAll(async () => {
  await slapd?.stop();
});

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    return error as Error;
  }
}

async function rejected(promise: Promise<unknown>): Promise<LdapLoginRejected> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(LdapLoginRejected);
  expect(error.message).toBe('invalid username or password');
  return error as LdapLoginRejected;
}

async function unavailable(promise: Promise<unknown>, url: string): Promise<LdapUnavailable> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(LdapUnavailable);
  expect(error.message).toContain(`the directory at ${url} is unreachable or misconfigured`);
  return error as LdapUnavailable;
}

const bindsAs = (dn: string) => slapd.readLog().split('\n').filter((line) => line.includes(`BIND dn="${dn}"`)).length;

describe('LDAP bind login against slapd', () => {
  test('alice signs in: her DN, display name, email and groups (sorted)', async () => {
    const identity = await ldapAuthenticate(settings, 'alice', SLAPD_USERS.alice.password);
    expect(identity).toEqual({
      username: 'alice',
      dn: userDn('alice'),
      displayName: 'Alice Agent',
      email: 'alice@flowdesk.test',
      groups: ['network-ops', 'service-desk'],
    });
  });

  test('bob: display name falls back to cn, a missing mail is null', async () => {
    const identity = await ldapAuthenticate(settings, 'bob', SLAPD_USERS.bob.password);
    expect(identity).toEqual({ username: 'bob', dn: userDn('bob'), displayName: 'Bob Builder', email: null, groups: ['network-ops'] });
  });

  test('the username matches as the directory matches it and comes back as stored', async () => {
    const identity = await ldapAuthenticate(settings, 'ALICE', SLAPD_USERS.alice.password);
    expect(identity.username).toBe('alice');
    expect(identity.dn).toBe(userDn('alice'));
  });

  test('without a group search, groups come from memberOf (as with Active Directory)', async () => {
    const { groupSearchBase: _base, groupFilter: _filter, ...memberOfOnly } = settings;
    const identity = await ldapAuthenticate(memberOfOnly, 'alice', SLAPD_USERS.alice.password);
    expect(identity.groups).toEqual(['network-ops', 'service-desk']);
  });

  test('without a service account the user search is anonymous', async () => {
    const { bindDn: _dn, bindPassword: _password, ...anonymous } = settings;
    const identity = await ldapAuthenticate(anonymous, 'bob', SLAPD_USERS.bob.password);
    expect(identity.dn).toBe(userDn('bob'));
  });

  test('a wrong password is rejected', async () => {
    const error = await rejected(ldapAuthenticate(settings, 'alice', 'Alice-pass-2'));
    expect(error.reason).toBe('wrong_password');
  });

  test('an unknown user is rejected with the same message', async () => {
    const wrongPassword = await rejected(ldapAuthenticate(settings, 'alice', 'nope'));
    const unknown = await rejected(ldapAuthenticate(settings, 'mallory', 'nope'));
    expect(unknown.reason).toBe('unknown_user');
    expect(unknown.message).toBe(wrongPassword.message);
  });

  test('a username that matches two entries is rejected, even with the right password', async () => {
    const wholeTree = { ...settings, userSearchBase: slapd.baseDn };
    const error = await rejected(ldapAuthenticate(wholeTree, 'carol', SLAPD_USERS.carol.password));
    expect(error.reason).toBe('ambiguous_user');
    // Searched below ou=people only, carol is one entry and signs in.
    await expect(ldapAuthenticate(settings, 'carol', SLAPD_USERS.carol.password)).resolves.toMatchObject({ dn: userDn('carol'), groups: [] });
  });

  test('an empty password is rejected before any bind (this slapd would accept it)', async () => {
    // The hazard is real: this directory answers an unauthenticated bind with success.
    const raw = new Client({ url: slapd.url });
    try {
      await expect(raw.bind(userDn('alice'), '')).resolves.toBeUndefined();
    } finally {
      await raw.unbind();
    }
    const before = bindsAs(userDn('alice'));

    const error = await rejected(ldapAuthenticate(settings, 'alice', ''));
    expect(error.reason).toBe('empty_password');
    expect(bindsAs(userDn('alice'))).toBe(before);

    // Nothing is sent at all: with the directory unreachable it is still a rejection.
    const closed = `ldap://127.0.0.1:${await freePort()}`;
    await rejected(ldapAuthenticate({ ...settings, url: closed }, 'alice', ''));
  });

  test.each(['*', 'a*', 'alice)(uid=*', '*)(|(uid=*', 'alice)(|(objectClass=*)', 'alice\\', 'alice\0'])(
    'filter injection with username %j and alice\u2019s password is rejected',
    async (username) => {
      const before = bindsAs(userDn('alice'));
      const error = await rejected(ldapAuthenticate(settings, username, SLAPD_USERS.alice.password));
      expect(error.reason).toBe('unknown_user');
      expect(bindsAs(userDn('alice'))).toBe(before);
    },
  );

  test('the filter reaches slapd escaped: the wildcard is a literal character', async () => {
    await rejected(ldapAuthenticate(settings, 'a*', SLAPD_USERS.alice.password));
    const filters = slapd.readLog().split('\n').filter((line) => line.includes('SRCH') && line.includes('filter='));
    expect(filters.some((line) => /filter="\(&\(objectClass=inetOrgPerson\)\(uid=a\\2a\)\)"/i.test(line))).toBe(true);
    // Control: unescaped, the same input would have found alice.
    const raw = new Client({ url: slapd.url });
    try {
      const { searchEntries } = await raw.search(settings.userSearchBase, { filter: '(uid=a*)', attributes: ['1.1'] });
      expect(searchEntries.map((e) => e.dn)).toEqual([userDn('alice')]);
    } finally {
      await raw.unbind();
    }
  });

  test('a service account that cannot bind makes the directory unavailable, not the login wrong', async () => {
    const error = await unavailable(ldapAuthenticate({ ...settings, bindPassword: 'not-the-password' }, 'alice', SLAPD_USERS.alice.password), slapd.url);
    expect(error.message).toContain(slapd.serviceDn);
    expect(error.message).toMatch(/invalid credentials/i);
    expect(error.message).not.toContain('not-the-password');
  });

  test('a search base that does not exist makes the directory unavailable', async () => {
    const error = await unavailable(ldapAuthenticate({ ...settings, userSearchBase: `ou=nowhere,${slapd.baseDn}` }, 'alice', SLAPD_USERS.alice.password), slapd.url);
    expect(error.message).toMatch(/no such object/i);
  });

  test('every connection is closed, after a success and after a rejection', async () => {
    const connections = () => {
      const log = slapd.readLog();
      const opened = new Set([...log.matchAll(/conn=(\d+) fd=\d+ ACCEPT/g)].map((m) => m[1]));
      const closed = new Set([...log.matchAll(/conn=(\d+) fd=\d+ closed/g)].map((m) => m[1]));
      return [...opened].filter((id) => !closed.has(id));
    };
    await ldapAuthenticate(settings, 'alice', SLAPD_USERS.alice.password);
    await rejected(ldapAuthenticate(settings, 'alice', 'wrong'));
    await rejected(ldapAuthenticate(settings, 'nobody', 'wrong'));
    const deadline = Date.now() + 3000;
    while (connections().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(connections()).toEqual([]);
  });
});

describe('LDAP directory down', () => {
  test('a closed port: unavailable, and the message names the URL', async () => {
    const url = `ldap://127.0.0.1:${await freePort()}`;
    const error = await unavailable(ldapAuthenticate({ ...settings, url }, 'alice', SLAPD_USERS.alice.password), url);
    expect(error.message).toContain('ECONNREFUSED');
  });

  test('a slapd that was stopped: unavailable', async () => {
    const other = await startSlapd();
    const otherSettings = { ...settings, url: other.url, bindDn: other.serviceDn, bindPassword: other.servicePassword };
    try {
      await expect(ldapAuthenticate(otherSettings, 'alice', SLAPD_USERS.alice.password)).resolves.toMatchObject({ dn: userDn('alice') });
    } finally {
      await other.stop();
    }
    await unavailable(ldapAuthenticate(otherSettings, 'alice', SLAPD_USERS.alice.password), other.url);
  });

  test('a server that accepts connections but never answers: unavailable after timeoutMs', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `ldap://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const started = Date.now();
      const error = await unavailable(ldapAuthenticate({ ...settings, url, timeoutMs: 500 }, 'alice', SLAPD_USERS.alice.password), url);
      expect(error.message).toMatch(/timed out/i);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

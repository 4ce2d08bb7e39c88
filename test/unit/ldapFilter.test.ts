import { FilterParser } from 'ldapts';
import { escapeFilterValue, fillFilter, firstRdnValue, ldapSettingsSchema, ldapAuthenticate, LdapLoginRejected, LdapUnavailable } from '../../api/auth/ldap';

describe('escapeFilterValue (RFC 4515)', () => {
  test.each([
    ['alice', 'alice'],
    ['*', '\\2a'],
    ['(', '\\28'],
    [')', '\\29'],
    ['\\', '\\5c'],
    ['\0', '\\00'],
    ['alice)(uid=*', 'alice\\29\\28uid=\\2a'],
    ['*)(|(objectClass=*)', '\\2a\\29\\28|\\28objectClass=\\2a\\29'],
    ['a\\2a', 'a\\5c2a'],
    ['Jürgen Müller', 'Jürgen Müller'],
    ['o\u2019brien & co = ~x', 'o\u2019brien & co = ~x'],
    ['', ''],
  ])('%j → %j', (value, escaped) => {
    expect(escapeFilterValue(value)).toBe(escaped);
  });

  test('the escaped value parses back to the literal input as one equality assertion', () => {
    for (const value of ['*', 'a*b', 'alice)(uid=*', '\\', 'x\0y', '(()))']) {
      const filter = FilterParser.parseString(`(uid=${escapeFilterValue(value)})`);
      expect(filter).toMatchObject({ attribute: 'uid', value });
      expect(filter.constructor.name).toBe('EqualityFilter');
    }
  });

  test('fillFilter replaces every placeholder, escaped, and leaves unknown ones', () => {
    expect(fillFilter('(|(uid={username})(mail={username}))', { username: 'a*' })).toBe('(|(uid=a\\2a)(mail=a\\2a))');
    expect(fillFilter('(member={dn})', { dn: 'cn=a\\,b,dc=x' })).toBe('(member=cn=a\\5c,b,dc=x)');
    expect(fillFilter('(x={other})', { username: 'a' })).toBe('(x={other})');
  });
});

describe('firstRdnValue', () => {
  test.each([
    ['cn=service-desk,ou=groups,dc=flowdesk,dc=test', 'service-desk'],
    ['CN=Service Desk,OU=Groups,DC=corp,DC=example', 'Service Desk'],
    ['cn=Smith\\, John,ou=x', 'Smith, John'],
    ['cn=M\\C3\\BCller,ou=x', 'Müller'],
    ['cn=a+uid=b,ou=x', 'a'],
    ['nonsense', null],
  ])('%j → %j', (dn, value) => {
    expect(firstRdnValue(dn)).toBe(value);
  });
});

describe('ldapSettingsSchema', () => {
  const valid = {
    url: 'ldap://ldap.example:389',
    bindDn: 'cn=svc,dc=example',
    bindPassword: 'secret',
    userSearchBase: 'ou=people,dc=example',
    userFilter: '(sAMAccountName={username})',
  };
  const problems = (settings: unknown) => {
    const result = ldapSettingsSchema.safeParse(settings);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  test('accepts a minimal and a full configuration', () => {
    expect(problems(valid)).toEqual([]);
    expect(
      problems({
        ...valid,
        url: 'ldaps://dc1.corp.example',
        groupSearchBase: 'dc=example',
        groupFilter: '(member:1.2.840.113556.1.4.1941:={dn})',
        groupNameAttribute: 'sAMAccountName',
        displayNameAttribute: 'displayName',
        emailAttribute: 'userPrincipalName',
        timeoutMs: 3000,
      }),
    ).toEqual([]);
    expect(problems({ ...valid, bindDn: undefined, bindPassword: undefined, startTls: true })).toEqual([]);
  });

  test.each([
    ['a non-LDAP URL', { url: 'http://ldap.example' }, 'url'],
    ['a service DN without password (an unauthenticated bind)', { bindPassword: '' }, 'bindPassword'],
    ['a password without service DN', { bindDn: undefined }, 'bindDn'],
    ['a user filter without {username}', { userFilter: '(uid=alice)' }, 'userFilter'],
    ['a user filter without parentheses', { userFilter: 'uid={username}' }, 'userFilter'],
    ['a user filter with a missing parenthesis', { userFilter: '(&(objectClass=user)(uid={username})' }, 'userFilter'],
    ['two user filters side by side', { userFilter: '(uid={username})(objectClass=*)' }, 'userFilter'],
    ['a user filter with a bad attribute', { userFilter: '(=x)(uid={username})' }, 'userFilter'],
    ['a group filter without {dn}', { groupSearchBase: 'dc=example', groupFilter: '(member=x)' }, 'groupFilter'],
    ['a group filter without a group search base', { groupFilter: '(member={dn})' }, 'groupSearchBase'],
    ['StartTLS on ldaps://', { url: 'ldaps://ldap.example', startTls: true }, 'startTls'],
    ['a bad attribute name', { emailAttribute: 'mail)(x' }, 'emailAttribute'],
    ['an unknown setting', { userFIlter: '(uid={username})' }, ''],
  ])('rejects %s', (_what, change, path) => {
    const found = problems({ ...valid, ...change });
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((p) => p.startsWith(`${path}:`))).toBe(true);
  });
});

describe('ldapAuthenticate before any connection', () => {
  // Port 9 on loopback: nothing listens, and none of these may try to connect anyway.
  const settings = { url: 'ldap://127.0.0.1:9', userSearchBase: 'dc=x', userFilter: '(uid={username})' };

  test.each([
    ['', 'pw', 'empty_username'],
    ['alice', '', 'empty_password'],
    ['a'.repeat(257), 'pw', 'invalid_username'],
  ])('user %j, password %j → %s', async (username, password, reason) => {
    const error = await ldapAuthenticate(settings, username, password).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LdapLoginRejected);
    expect(error).toMatchObject({ reason, message: 'invalid username or password' });
  });

  test('invalid settings are reported as a misconfigured directory', async () => {
    const error = await ldapAuthenticate({ ...settings, userFilter: '(uid=alice)' }, 'alice', 'pw').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LdapUnavailable);
    expect((error as Error).message).toMatch(/^the directory at ldap:\/\/127\.0\.0\.1:9 is unreachable or misconfigured: invalid settings: userFilter must contain \{username\}/);
  });
});

import { DEFAULT_CLAIM_MAPPING } from '../../domain/identity/claims';
import { freePort } from '../../runtime/ports';
import { addUser, startTestApi, type TestApi } from '../setup/harness';
import { type OidcProvider, signInAtProvider, startOidcProvider } from '../setup/oidcProvider';
import { type Slapd, startSlapd } from '../setup/slapd';

// Sign-in through the API with a real slapd and a real OpenID provider.
let slapd: Slapd;
let provider: OidcProvider;
let api: TestApi;
let redirectUri: string;

beforeAll(async () => {
  const port = await freePort();
  redirectUri = `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`;
  [slapd, provider] = await Promise.all([startSlapd(), startOidcProvider(redirectUri, 'sso-test-secret')]);
  const groupMap = { 'service-desk': 'desk', 'it-ops': 'network-ops' };
  api = await startTestApi({
    port,
    sso: {
      groupMap,
      defaultRoles: ['agent'],
      ldap: {
        url: slapd.url,
        bindDn: slapd.serviceDn,
        bindPassword: slapd.servicePassword,
        userSearchBase: `ou=people,${slapd.baseDn}`,
        userFilter: '(uid={username})',
        groupSearchBase: `ou=groups,${slapd.baseDn}`,
        groupFilter: '(member={dn})',
      },
      oidc: {
        name: 'Test IdP',
        issuer: provider.issuer,
        clientId: 'flowdesk',
        clientSecret: 'sso-test-secret',
        redirectUri,
        scopes: ['openid', 'profile', 'email', 'groups'],
        mapping: { ...DEFAULT_CLAIM_MAPPING, groupMap },
      },
    },
  });
});
afterAll(async () => {
  await api?.stop();
  await Promise.all([slapd?.stop(), provider?.stop()]);
});

async function login(username: string, password: string) {
  const res = await fetch(`${api.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return { status: res.status, body: (await res.json()) as any, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

describe('LDAP sign-in', () => {
  it('creates the user at first sign-in with the default roles and the mapped groups', async () => {
    const first = await login('alice', 'Alice-pass-1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ user: { username: 'alice', displayName: 'Alice Agent', email: 'alice@flowdesk.test', source: 'ldap', roles: ['agent'] }, groups: ['desk'] });
  });

  it('keeps roles an admin gave, and refuses a wrong password with the usual message', async () => {
    const admin = await addUser(api.db, 'boss', ['admin']);
    await fetch(`${api.baseUrl}/api/v1/users/alice`, { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: admin.bearer }, body: '{"roles":["group_manager"]}' });
    expect((await login('alice', 'Alice-pass-1')).body.user.roles).toEqual(['group_manager']);
    const wrong = await login('alice', 'not-her-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toBe('invalid username or password');
  });

  it('never lets the directory take over a local account of the same name', async () => {
    await addUser(api.db, 'bob', ['requester']);
    expect((await login('bob', 'Bob-pass-1')).status).toBe(401);
  });
});

describe('OpenID Connect sign-in', () => {
  it('offers the provider on the sign-in page', async () => {
    const providers = (await (await fetch(`${api.baseUrl}/api/v1/auth/providers`)).json()) as any;
    expect(providers).toEqual({ items: [{ id: 'oidc', name: 'Test IdP', url: '/api/v1/auth/oidc/start' }], ldap: true });
  });

  it('signs carol in through the provider and opens a session with her mapped groups', async () => {
    const start = await fetch(`${api.baseUrl}/api/v1/auth/oidc/start`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const stateCookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const callback = await signInAtProvider(start.headers.get('location')!, redirectUri);
    const back = await fetch(callback, { redirect: 'manual', headers: { cookie: stateCookie } });
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/');
    const session = back.headers.getSetCookie().find((c) => c.startsWith('flowdesk_session='))!.split(';')[0]!;
    const me = (await (await fetch(`${api.baseUrl}/api/v1/auth/me`, { headers: { cookie: session } })).json()) as any;
    expect(me).toMatchObject({ user: { username: 'carol', displayName: 'Carol Changer', source: 'oidc', roles: ['agent'] }, groups: ['network-ops'] });

    // The same callback cannot be replayed: its state was used once.
    const replay = await fetch(callback, { redirect: 'manual', headers: { cookie: stateCookie } });
    expect(replay.headers.get('location')).toMatch(/^\/login\?error=.*expired/);
  });

  it('sends the browser back to the sign-in page with a reason when the state does not match', async () => {
    const start = await fetch(`${api.baseUrl}/api/v1/auth/oidc/start`, { redirect: 'manual' });
    const stateCookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const callback = new URL(await signInAtProvider(start.headers.get('location')!, redirectUri));
    callback.searchParams.set('state', 'forged');
    const back = await fetch(callback, { redirect: 'manual', headers: { cookie: stateCookie } });
    expect(decodeURIComponent(back.headers.get('location')!)).toMatch(/^\/login\?error=the sign-in with .* failed: state mismatch/);
  });
});

import { type BaseClient, Issuer } from 'openid-client';
import { createOidcLogin, type OidcLogin, OidcLoginFailed, type OidcSettings, PENDING_LOGIN_TTL_MS } from '../../api/auth/oidc';
import { DEFAULT_CLAIM_MAPPING } from '../../domain/identity/claims';
import { freePort } from '../../runtime/ports';
import { type OidcProvider, signInAtProvider as signInAt, startOidcProvider } from '../setup/oidcProvider';

const signInAtProvider = (url: string, login?: string, password?: string) => signInAt(url, REDIRECT_URI, login, password);

// End to end against a real OpenID provider (oidc-provider, ESM-only, so it runs in a
// child process): discovery, the authorization request with PKCE, the provider's login
// and consent pages driven with fetch and a cookie jar, the code exchange, ID token
// validation and userinfo.
const REDIRECT_URI = 'http://127.0.0.1:8080/api/v1/auth/oidc/callback';
const CLIENT_SECRET = 'flowdesk-test-secret';

let provider: OidcProvider;
let issuer: string;

beforeAll(async () => {
  provider = await startOidcProvider(REDIRECT_URI, CLIENT_SECRET);
  issuer = provider.issuer;
});
afterAll(() => provider.stop());

const settings = (overrides: Partial<OidcSettings> = {}): OidcSettings => ({
  issuer,
  clientId: 'flowdesk',
  clientSecret: CLIENT_SECRET,
  redirectUri: REDIRECT_URI,
  scopes: ['openid', 'profile', 'email', 'groups'],
  mapping: { ...DEFAULT_CLAIM_MAPPING, groupMap: { 'it-ops': 'network-ops', 'cab-members': 'cab' } },
  ...overrides,
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('OpenID Connect sign-in against a real provider', () => {
  let oidc: OidcLogin;
  beforeAll(async () => {
    oidc = await createOidcLogin(settings());
  });

  it('signs carol in with code + PKCE and maps her groups through groupMap', async () => {
    const { url, pending } = oidc.begin();
    const request = new URL(url);
    expect(request.origin + request.pathname).toBe(`${issuer}/auth`);
    expect(Object.fromEntries(request.searchParams)).toMatchObject({
      client_id: 'flowdesk',
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email groups',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge_method: 'S256',
    });
    expect(request.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url).not.toContain(pending.codeVerifier);

    const callback = await signInAtProvider(url);
    expect(new URL(callback).searchParams.get('state')).toBe(pending.state);
    // oidc-provider puts only `sub` into an ID token issued with an access token
    // (conformIdTokenClaims), so the profile, email and groups come from userinfo.
    const baseClient = Object.getPrototypeOf(new Issuer({ issuer }).Client.prototype) as BaseClient;
    const userinfo = jest.spyOn(baseClient, 'userinfo');
    expect(await oidc.finish(callback, pending)).toEqual({
      subject: 'carol',
      username: 'carol',
      email: 'carol@example.test',
      displayName: 'Carol Changer',
      groups: ['cab', 'network-ops'],
    });
    expect(userinfo).toHaveBeenCalledTimes(1);
    userinfo.mockRestore();
  });

  it('rejects a callback whose state was tampered with, without echoing values', async () => {
    const { url, pending } = oidc.begin();
    const callback = new URL(await signInAtProvider(url));
    callback.searchParams.set('state', 'forged-state');
    const error = await rejection(oidc.finish(callback.href, pending));
    expect(error).toBeInstanceOf(OidcLoginFailed);
    expect(error.message).toBe(`the sign-in with ${issuer} failed: state mismatch; start again`);
    expect(error.message).not.toContain('forged-state');
  });

  it('rejects a pending login older than 10 minutes', async () => {
    const { url, pending } = oidc.begin();
    const callback = await signInAtProvider(url);
    const error = await rejection(oidc.finish(callback, { ...pending, createdAt: Date.now() - PENDING_LOGIN_TTL_MS - 1000 }));
    expect(error).toBeInstanceOf(OidcLoginFailed);
    expect(error.message).toMatch(/took longer than 10 minutes; start again$/);
  });

  it('rejects a wrong PKCE code verifier and a replayed code', async () => {
    const { url, pending } = oidc.begin();
    const callback = await signInAtProvider(url);
    const wrongVerifier = await rejection(oidc.finish(callback, { ...pending, codeVerifier: 'x'.repeat(43) }));
    expect(wrongVerifier).toBeInstanceOf(OidcLoginFailed);
    expect(wrongVerifier.message).toContain('the provider answered invalid_grant');

    const second = oidc.begin();
    const good = await signInAtProvider(second.url);
    await oidc.finish(good, second.pending);
    const replay = await rejection(oidc.finish(good, second.pending));
    expect(replay).toBeInstanceOf(OidcLoginFailed);
    expect(replay.message).toContain('invalid_grant');
  });

  it('rejects a wrong client secret at the code exchange', async () => {
    const wrong = await createOidcLogin(settings({ clientSecret: 'not-the-secret' }));
    const { url, pending } = wrong.begin();
    const error = await rejection(wrong.finish(await signInAtProvider(url), pending));
    expect(error).toBeInstanceOf(OidcLoginFailed);
    expect(error.message).toBe(`the sign-in with ${issuer} failed: the provider answered invalid_client; start again`);
    expect(error.message).not.toContain('not-the-secret');
  });

  it.each([
    ['an unknown login', 'mallory', 'carol-password'],
    ['a wrong password', 'carol', 'guess'],
  ])('reports access_denied after %s at the provider', async (_label, login, password) => {
    const { url, pending } = oidc.begin();
    const callback = await signInAtProvider(url, login, password);
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    const error = await rejection(oidc.finish(callback, pending));
    expect(error).toBeInstanceOf(OidcLoginFailed);
    expect(error.message).toBe(`the sign-in with ${issuer} failed: the provider answered access_denied; start again`);
  });

  it('names the issuer when discovery cannot reach it', async () => {
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const error = await rejection(createOidcLogin(settings({ issuer: unreachable })));
    expect(error.message).toMatch(new RegExp(`^cannot discover the OpenID provider ${unreachable}: .*ECONNREFUSED.*; check the issuer URL`));
  });
});

import { errors, generators, Issuer, type BaseClient } from 'openid-client';
import { z } from 'zod';
import { DEFAULT_CLAIM_MAPPING, mapClaims, type ClaimMapping, type MappedIdentity } from '../../domain/identity/claims';

/**
 * OpenID Connect sign-in: authorization code flow with PKCE (S256), state and nonce.
 * `begin()` gives the URL to redirect the browser to and a PendingLogin that the API
 * keeps in the user's session; `finish()` takes the URL the provider redirected back
 * to, checks it against that PendingLogin, redeems the code, validates the ID token
 * (openid-client checks signature, issuer, audience, expiry and nonce) and maps the
 * claims to a FlowDesk identity.
 */
export interface OidcSettings {
  /** Issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only, token_endpoint_auth_method 'none'). */
  clientSecret?: string;
  redirectUri: string;
  /** Default ['openid', 'profile', 'email', 'groups']. */
  scopes: string[];
  mapping: ClaimMapping;
}

export const oidcSettingsSchema: z.ZodType<OidcSettings> = z.strictObject({
  issuer: z.url({ protocol: /^https?$/ }),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1).optional(),
  redirectUri: z.url({ protocol: /^https?$/ }),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope is one token without spaces or quotes'))
    .default(['openid', 'profile', 'email', 'groups'])
    .refine((scopes) => scopes.includes('openid'), "scopes must include 'openid'"),
  mapping: z
    .strictObject({
      usernameClaim: z.string().min(1).default(DEFAULT_CLAIM_MAPPING.usernameClaim),
      emailClaim: z.string().min(1).default(DEFAULT_CLAIM_MAPPING.emailClaim),
      displayNameClaim: z.string().min(1).default(DEFAULT_CLAIM_MAPPING.displayNameClaim),
      groupsClaim: z.string().min(1).default(DEFAULT_CLAIM_MAPPING.groupsClaim),
      groupMap: z.record(z.string().min(1), z.string().min(1)).default({}),
    })
    .prefault({}),
});

/** What the API keeps in the session between `begin()` and `finish()`. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Date.now() when the login began. */
  createdAt: number;
}

/** A pending login older than this is rejected. */
export const PENDING_LOGIN_TTL_MS = 10 * 60_000;

/**
 * A sign-in that did not succeed. The message is safe to show the user: it never holds
 * tokens, codes, state values or the provider's free-text descriptions. The underlying
 * error is in `cause`, for the log.
 */
export class OidcLoginFailed extends Error {
  constructor(
    readonly issuer: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`the sign-in with ${issuer} failed: ${reason}; start again`, options);
    this.name = 'OidcLoginFailed';
  }
}

export interface OidcLogin {
  begin(): { url: string; pending: PendingLogin };
  finish(callbackUrl: string, pending: PendingLogin): Promise<MappedIdentity>;
}

export async function createOidcLogin(settings: OidcSettings): Promise<OidcLogin> {
  const { issuer: issuerUrl, mapping } = settings;
  let issuer: Issuer<BaseClient>;
  try {
    issuer = await Issuer.discover(issuerUrl);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`cannot discover the OpenID provider ${issuerUrl}: ${why}; check the issuer URL and that the provider is reachable`, { cause });
  }
  const client = new issuer.Client({
    client_id: settings.clientId,
    client_secret: settings.clientSecret,
    redirect_uris: [settings.redirectUri],
    response_types: ['code'],
    token_endpoint_auth_method: settings.clientSecret ? 'client_secret_basic' : 'none',
  });
  const fail = (reason: string, cause?: unknown) => new OidcLoginFailed(issuerUrl, reason, { cause });

  return {
    begin() {
      const pending: PendingLogin = {
        state: generators.state(),
        nonce: generators.nonce(),
        codeVerifier: generators.codeVerifier(),
        createdAt: Date.now(),
      };
      const url = client.authorizationUrl({
        scope: settings.scopes.join(' '),
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: generators.codeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url, pending };
    },

    async finish(callbackUrl, pending) {
      const age = Date.now() - pending.createdAt;
      if (!(age >= 0 && age <= PENDING_LOGIN_TTL_MS)) {
        throw fail('the sign-in took longer than 10 minutes');
      }
      let claims: Record<string, unknown>;
      try {
        const params = client.callbackParams(callbackUrl);
        const tokens = await client.callback(settings.redirectUri, params, {
          response_type: 'code',
          state: pending.state,
          nonce: pending.nonce,
          code_verifier: pending.codeVerifier,
        });
        claims = tokens.claims();
        if (claims[mapping.groupsClaim] === undefined && tokens.access_token) {
          // openid-client checks that userinfo's `sub` matches the ID token's.
          claims = { ...(await client.userinfo(tokens)), ...claims };
        }
      } catch (error) {
        throw fail(safeReason(error), error);
      }
      try {
        return mapClaims(claims, mapping);
      } catch (error) {
        throw fail((error as Error).message, error);
      }
    },
  };
}

/** A short reason without secrets or values echoed from the request. */
function safeReason(error: unknown): string {
  if (error instanceof errors.OPError) {
    // The provider's error code (e.g. access_denied, invalid_client, invalid_grant).
    const code = /^[\w.-]{1,64}$/.test(error.error ?? '') ? error.error : 'unknown error';
    return `the provider answered ${code}`;
  }
  if (error instanceof errors.RPError) {
    // openid-client's messages start with the check ("state mismatch", "nonce mismatch",
    // "JWT expired", ...) and append the values after a comma; keep only the check.
    if (/timed out/.test(error.message)) return 'the provider did not answer in time';
    return error.message.split(',')[0].slice(0, 80);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `the provider could not be reached (${code})`;
  return 'unexpected error';
}

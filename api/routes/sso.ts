import type { Connection } from 'mongoose';
import { z } from 'zod';
import { saveLoginState, takeLoginState } from '../../store/loginStates';
import type { AuditRecorder } from '../audit';
import { readCookie } from '../auth/cookies';
import { createOidcLogin, type OidcLogin, OidcLoginFailed, type PendingLogin } from '../auth/oidc';
import { ExternalSignInRefused, provisionExternalUser, type SsoSettings } from '../auth/sso';
import { type AnyRoute, defineRoute } from '../route';
import { startSession } from './auth';

const STATE_COOKIE = 'flowdesk_oidc';

/** Single sign-on with OpenID Connect (authorization code + PKCE). */
export function ssoRoutes({ db, audit, sso }: { db: Connection; audit: AuditRecorder; sso: SsoSettings }): AnyRoute[] {
  // Discovery happens at the first sign-in, and again after a failure (the provider may have been down).
  let login: Promise<OidcLogin> | undefined;
  const oidc = () => {
    login ??= createOidcLogin(sso.oidc!).catch((error: unknown) => {
      login = undefined;
      throw error;
    });
    return login;
  };
  const failed = (reason: string) => `/login?error=${encodeURIComponent(reason)}`;

  const providers = defineRoute({
    method: 'get',
    path: '/auth/providers',
    operationId: 'listSignInProviders',
    summary: 'The single sign-on providers the sign-in page offers',
    tag: 'auth',
    permission: 'public',
    responses: { 200: { description: 'Providers', schema: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), url: z.string() })), ldap: z.boolean() }) } },
    handler({ res }) {
      const items = sso.oidc ? [{ id: 'oidc', name: sso.oidc.name, url: '/api/v1/auth/oidc/start' }] : [];
      res.json({ items, ldap: Boolean(sso.ldap) });
    },
  });

  const start = defineRoute({
    method: 'get',
    path: '/auth/oidc/start',
    operationId: 'startOidcSignIn',
    summary: 'Redirect to the identity provider to sign in',
    tag: 'auth',
    permission: 'public',
    responses: { 302: { description: 'To the identity provider (or back to /login with an error)' } },
    async handler({ req, res }) {
      if (!sso.oidc) return res.redirect(302, failed('single sign-on is not configured'));
      let begun: ReturnType<OidcLogin['begin']>;
      try {
        begun = (await oidc()).begin();
      } catch (error) {
        return res.redirect(302, failed(`the identity provider cannot be reached: ${(error as Error).message}`));
      }
      const id = await saveLoginState(db, begun.pending);
      res.cookie(STATE_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/api/v1/auth/oidc', maxAge: 10 * 60_000 });
      res.redirect(302, begun.url);
    },
  });

  const callback = defineRoute({
    method: 'get',
    path: '/auth/oidc/callback',
    operationId: 'finishOidcSignIn',
    summary: 'Where the identity provider sends the browser back; opens the session',
    tag: 'auth',
    permission: 'public',
    responses: { 302: { description: 'Into the UI, signed in (or back to /login with an error)' } },
    async handler({ req, res }) {
      const stateId = readCookie(req, STATE_COOKIE);
      res.clearCookie(STATE_COOKIE, { path: '/api/v1/auth/oidc' });
      const pending = stateId ? await takeLoginState<PendingLogin>(db, stateId) : null;
      if (!sso.oidc || !pending) return res.redirect(302, failed('the sign-in expired or was already used; start again'));
      try {
        const callbackUrl = new URL(req.originalUrl, sso.oidc.redirectUri).href;
        const identity = await (await oidc()).finish(callbackUrl, pending);
        await provisionExternalUser(db, identity, 'oidc', sso);
        await startSession(db, audit, req, res, identity.username);
        res.redirect(302, '/');
      } catch (error) {
        if (!(error instanceof OidcLoginFailed || error instanceof ExternalSignInRefused)) throw error;
        await audit(req, { action: 'auth.login', target: { type: 'identity_provider', id: sso.oidc.issuer }, outcome: 'denied', detail: error.message });
        res.redirect(302, failed(error.message));
      }
    },
  });

  return [providers, start, callback];
}

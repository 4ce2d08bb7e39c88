import type { Request, Response } from 'express';
import type { Connection } from 'mongoose';
import { mapGroups } from '../../domain/identity/groupMap';
import { AFTER_SUCCESS, afterFailure, isLocked } from '../../domain/identity/lockout';
import { createSession, deleteSession } from '../../store/sessions';
import { publicUser, type UserDocument, userModel } from '../../store/users';
import type { AuditRecorder } from '../audit';
import { principalFor } from '../auth/authenticate';
import { clearSessionCookie, readCookie, SESSION_COOKIE, setSessionCookie } from '../auth/cookies';
import { ldapAuthenticate, LdapLoginRejected, LdapUnavailable } from '../auth/ldap';
import { checkPassword } from '../auth/passwords';
import type { Principal } from '../auth/principal';
import { ExternalSignInRefused, provisionExternalUser, type SsoSettings } from '../auth/sso';
import { Problem, UnauthorizedError, UnavailableError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { loginBody, me } from '../schemas/identity';

const INVALID = 'invalid username or password';

/** Opens a session for `username`: the cookie, the audit entry, and what the UI needs. */
export async function startSession(db: Connection, audit: AuditRecorder, req: Request, res: Response, username: string): Promise<Principal> {
  const session = await createSession(db, username);
  setSessionCookie(req, res, session.id);
  req.actor = username;
  await audit(req, { action: 'auth.login', target: { type: 'user', id: username }, outcome: 'success' });
  return { ...(await principalFor(db, username, 'session'))!, csrfToken: session.csrfToken };
}

export function authRoutes({ db, audit, sso }: { db: Connection; audit: AuditRecorder; sso: SsoSettings }): AnyRoute[] {
  const users = userModel(db);

  /** Directory sign-in for users who are not local: the directory checks the password. */
  async function ldapSignIn(username: string, password: string): Promise<string | null> {
    if (!sso.ldap) return null;
    try {
      const identity = await ldapAuthenticate(sso.ldap, username, password);
      await provisionExternalUser(db, { ...identity, groups: mapGroups(identity.groups, sso.groupMap) }, 'ldap', sso);
      return identity.username;
    } catch (error) {
      if (error instanceof LdapLoginRejected) return null;
      if (error instanceof ExternalSignInRefused) throw new UnauthorizedError(error.message);
      if (error instanceof LdapUnavailable) throw new UnavailableError('the directory (LDAP) cannot be reached right now; try again shortly or ask an admin');
      throw error;
    }
  }

  const describe = async (principal: Principal) => {
    const user = (await users.findById(principal.username).lean<UserDocument>().exec())!;
    return { user: publicUser(user), groups: principal.groups, permissions: [...principal.permissions].sort(), via: principal.via, csrfToken: principal.csrfToken };
  };

  const login = defineRoute({
    method: 'post',
    path: '/auth/login',
    operationId: 'login',
    summary: 'Sign in with a local user name and password; sets the session cookie',
    tag: 'auth',
    permission: 'public',
    body: loginBody,
    responses: { 200: { description: 'Signed in: the user, permissions and the CSRF token for writes', schema: me } },
    async handler({ body, req, res }) {
      const user = await users.findById(body.username).lean<UserDocument>().exec();
      const now = new Date();
      if (user && isLocked(user, now)) {
        await audit(req, { action: 'auth.login', target: { type: 'user', id: body.username }, outcome: 'denied', detail: 'account locked' });
        throw new Problem(423, 'Locked', `too many failed sign-ins: this account is locked until ${user.lockedUntil}; an admin can unlock it`);
      }
      const local = !user || user.source === 'local' ? await checkPassword(user?.passwordHash ?? null, body.password) : false;
      const signedIn = local && user?.active ? user._id : !user || user.source === 'ldap' ? await ldapSignIn(body.username, body.password) : null;
      if (!signedIn) {
        if (user) await users.updateOne({ _id: user._id }, { $set: afterFailure(user, now) }).exec();
        await audit(req, { action: 'auth.login', target: { type: 'user', id: body.username }, outcome: 'denied', detail: INVALID });
        throw new UnauthorizedError(INVALID);
      }
      await users.updateOne({ _id: signedIn }, { $set: AFTER_SUCCESS }).exec();
      res.json(await describe(await startSession(db, audit, req, res, signedIn)));
    },
  });

  const logout = defineRoute({
    method: 'post',
    path: '/auth/logout',
    operationId: 'logout',
    summary: 'End the session (the cookie stops working at once)',
    tag: 'auth',
    permission: 'authenticated',
    responses: { 204: { description: 'Signed out' } },
    async handler({ req, res }) {
      const sessionId = readCookie(req, SESSION_COOKIE);
      if (sessionId) await deleteSession(db, sessionId);
      clearSessionCookie(req, res);
      await audit(req, { action: 'auth.logout', target: { type: 'user', id: req.principal!.username }, outcome: 'success' });
      res.status(204).end();
    },
  });

  const whoami = defineRoute({
    method: 'get',
    path: '/auth/me',
    operationId: 'getMe',
    summary: 'The signed-in user, their groups and permissions',
    tag: 'auth',
    permission: 'authenticated',
    responses: { 200: { description: 'The caller', schema: me } },
    async handler({ req, res }) {
      res.json(await describe(req.principal!));
    },
  });

  return [login, logout, whoami];
}

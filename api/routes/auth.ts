import type { Connection } from 'mongoose';
import { AFTER_SUCCESS, afterFailure, isLocked } from '../../domain/identity/lockout';
import { createSession, deleteSession } from '../../store/sessions';
import { publicUser, type UserDocument, userModel } from '../../store/users';
import type { AuditRecorder } from '../audit';
import { principalFor } from '../auth/authenticate';
import { clearSessionCookie, readCookie, SESSION_COOKIE, setSessionCookie } from '../auth/cookies';
import { checkPassword } from '../auth/passwords';
import type { Principal } from '../auth/principal';
import { Problem, UnauthorizedError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { loginBody, me } from '../schemas/identity';

const INVALID = 'invalid username or password';

export function authRoutes({ db, audit }: { db: Connection; audit: AuditRecorder }): AnyRoute[] {
  const users = userModel(db);

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
      const ok = await checkPassword(user?.passwordHash ?? null, body.password);
      if (!ok || !user?.active) {
        if (user) await users.updateOne({ _id: user._id }, { $set: afterFailure(user, now) }).exec();
        await audit(req, { action: 'auth.login', target: { type: 'user', id: body.username }, outcome: 'denied', detail: INVALID });
        throw new UnauthorizedError(INVALID);
      }
      await users.updateOne({ _id: user._id }, { $set: AFTER_SUCCESS }).exec();
      const session = await createSession(db, user._id, now);
      setSessionCookie(req, res, session.id);
      const principal = (await principalFor(db, user._id, 'session'))!;
      req.actor = user._id;
      await audit(req, { action: 'auth.login', target: { type: 'user', id: user._id }, outcome: 'success' });
      res.json(await describe({ ...principal, csrfToken: session.csrfToken }));
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

import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import { permissionsOf } from '../../domain/identity/permissions';
import { groupsOf } from '../../store/groups';
import { roleDefinitions } from '../../store/roles';
import { findSession } from '../../store/sessions';
import { checkToken } from '../../store/tokens';
import { type UserDocument, userModel } from '../../store/users';
import { ForbiddenError, UnauthorizedError } from '../problem';
import { readCookie, SESSION_COOKIE } from './cookies';
import type { Principal } from './principal';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller from a Bearer API token or the session cookie into
 * `req.principal` (left unset for anonymous calls; routes decide what they need).
 */
export function authenticate(db: Connection): RequestHandler {
  return async (req, _res, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (bearer) {
      const token = await checkToken(db, bearer);
      if (!token) throw new UnauthorizedError('the API token is invalid, expired or revoked; create a new one in your profile');
      const principal = await principalFor(db, token.owner, 'token');
      if (!principal) throw new UnauthorizedError('the owner of this API token is disabled');
      // A token never grants more than its owner holds today.
      const scoped = new Set([...principal.permissions].filter((p) => token.scopes.includes(p)));
      req.principal = { ...principal, permissions: scoped, tokenId: token._id, tokenName: token.name };
    } else {
      const sessionId = readCookie(req, SESSION_COOKIE);
      const session = sessionId ? await findSession(db, sessionId) : null;
      const principal = session && (await principalFor(db, session.username, 'session'));
      if (principal && session) {
        if (!SAFE_METHODS.has(req.method) && req.get('x-csrf-token') !== session.csrfToken) {
          throw new ForbiddenError('missing or wrong X-CSRF-Token header: reload the page and try again');
        }
        req.principal = { ...principal, csrfToken: session.csrfToken };
      }
    }
    if (req.principal) req.actor = req.principal.username;
    next();
  };
}

export async function principalFor(db: Connection, username: string, via: Principal['via']): Promise<Principal | null> {
  const user = await userModel(db).findById(username).lean<UserDocument>().exec();
  if (!user?.active) return null;
  const [groups, definitions] = await Promise.all([groupsOf(db, username), roleDefinitions(db)]);
  return { via, username, displayName: user.displayName, groups, roles: user.roles, permissions: permissionsOf(user.roles, definitions) };
}


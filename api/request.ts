import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Principal } from './auth/principal';

declare module 'express-serve-static-core' {
  interface Request {
    /** Correlates a response, its log lines and (later) its audit entry. */
    id: string;
    /** Who acts, for timelines and logs: the principal's user name, or 'anonymous'. */
    actor: string;
    /** Set by api/auth/authenticate.ts for signed-in callers. */
    principal?: Principal;
  }
}

const SAFE_ID = /^[\w.-]{1,100}$/;

export const requestContext: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  req.id = given && SAFE_ID.test(given) ? given : randomUUID();
  req.actor = 'anonymous';
  res.setHeader('x-request-id', req.id);
  next();
};

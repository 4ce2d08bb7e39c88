import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    /** Correlates a response, its log lines and (later) its audit entry. */
    id: string;
    /** Who acts. Until identity lands (issue 3) every caller is 'anonymous'. */
    actor: string;
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

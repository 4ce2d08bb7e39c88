import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../runtime/log';
import { isStoreUnavailable } from '../store/connection';
import { NotFoundError, Problem, UnavailableError } from './problem';

export const PROBLEM_TYPE = 'application/problem+json';
const STORE_RETRY_AFTER_S = 5;

export const notFoundRoute: RequestHandler = (req) => {
  throw new NotFoundError(`no route ${req.method} ${req.path}`);
};

/** Maps every error to problem+json; unknown errors become a 500 without internals. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const problem = toProblem(error);
    if (problem.status >= 500) logger.error({ err: error, requestId: req.id }, 'request failed');
    if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="flowdesk"');
    if (problem instanceof UnavailableError && problem.retryAfterSeconds) res.setHeader('Retry-After', String(problem.retryAfterSeconds));
    res
      .status(problem.status)
      .type(PROBLEM_TYPE)
      .json({
        type: 'about:blank',
        title: problem.title,
        status: problem.status,
        detail: problem.message,
        instance: req.originalUrl,
        requestId: req.id,
        ...problem.extra,
      });
  };
}

function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  // Nothing was stored: a sender that retries (Alertmanager, Zabbix) loses nothing.
  if (isStoreUnavailable(error)) return new UnavailableError('the database cannot be reached right now; nothing was stored, retry after the time in Retry-After', STORE_RETRY_AFTER_S);
  const http = error as { status?: number; type?: string; expose?: boolean; message?: string };
  // body-parser errors carry a status and a safe message.
  if (http.type === 'entity.too.large') return new Problem(413, 'Payload too large', 'the request body is larger than the limit; send less');
  if (http.type === 'entity.parse.failed') return new Problem(400, 'Invalid request', `the body is not valid JSON: ${http.message}`);
  if (typeof http.status === 'number' && http.status >= 400 && http.status < 500 && http.expose) {
    return new Problem(http.status, 'Invalid request', http.message ?? 'invalid request');
  }
  return new Problem(500, 'Internal error', 'something went wrong on our side; the request id in this response finds it in the logs');
}

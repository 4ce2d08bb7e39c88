import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../runtime/log';
import { NotFoundError, Problem } from './problem';

export const PROBLEM_TYPE = 'application/problem+json';

export const notFoundRoute: RequestHandler = (req) => {
  throw new NotFoundError(`no route ${req.method} ${req.path}`);
};

/** Maps every error to problem+json; unknown errors become a 500 without internals. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const problem = toProblem(error);
    if (problem.status >= 500) logger.error({ err: error, requestId: req.id }, 'request failed');
    if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="flowdesk"');
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
  const http = error as { status?: number; type?: string; expose?: boolean; message?: string };
  // body-parser errors carry a status and a safe message.
  if (http.type === 'entity.too.large') return new Problem(413, 'Payload too large', 'the request body is larger than the limit; send less');
  if (http.type === 'entity.parse.failed') return new Problem(400, 'Invalid request', `the body is not valid JSON: ${http.message}`);
  if (typeof http.status === 'number' && http.status >= 400 && http.status < 500 && http.expose) {
    return new Problem(http.status, 'Invalid request', http.message ?? 'invalid request');
  }
  return new Problem(500, 'Internal error', 'something went wrong on our side; the request id in this response finds it in the logs');
}

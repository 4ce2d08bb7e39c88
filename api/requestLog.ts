import type { RequestHandler } from 'express';
import type { Logger } from '../runtime/log';

/**
 * One log line per request: method, path (without the query string, which may carry
 * filters but never credentials), status, duration, request id and actor. Headers and
 * bodies are never logged: they carry passwords, tokens and cookies.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { requestId: req.id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, actor: req.actor };
      if (res.statusCode >= 500) logger.error(line, 'request');
      else logger.debug(line, 'request');
    });
    next();
  };
}

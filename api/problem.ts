/**
 * Typed errors that handlers throw; one middleware (api/errors.ts) turns each into an
 * RFC 9457 application/problem+json response. Handlers never set status codes themselves.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.impact`. */
  field: string;
  message: string;
}

export class InputError extends Problem {
  constructor(detail: string, errors: FieldError[] = []) {
    super(400, 'Invalid request', detail, { errors });
  }
}

/** A body a domain validator refused: its problems (paths within the body) as field errors, the first in the detail. */
export function invalidBody(what: string, problems: ReadonlyArray<{ path: string; message: string }>): InputError {
  return new InputError(`${what} is not valid: ${problems[0]!.path}: ${problems[0]!.message}`, problems.map((p) => ({ field: `body.${p.path}`, message: p.message })));
}

export class UnauthorizedError extends Problem {
  constructor(detail = 'sign in, or send an API token as "Authorization: Bearer <token>"') {
    super(401, 'Unauthorized', detail);
  }
}

export class ForbiddenError extends Problem {
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

export class NotFoundError extends Problem {
  constructor(detail: string) {
    super(404, 'Not found', detail);
  }
}

export class ConflictError extends Problem {
  constructor(detail: string) {
    super(409, 'Conflict', detail);
  }
}

export class PreconditionFailedError extends Problem {
  constructor(detail: string) {
    super(412, 'Precondition failed', detail);
  }
}

export class UnavailableError extends Problem {
  constructor(
    detail: string,
    /** Sent as Retry-After, for senders that retry (alert intake, automation). */
    readonly retryAfterSeconds?: number,
  ) {
    super(503, 'Service unavailable', detail);
  }
}

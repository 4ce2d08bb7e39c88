/**
 * A small typed client for the FlowDesk REST API (/api/v1). Every failure, whether the
 * server answered with an application/problem+json body or the request never arrived,
 * is thrown as an ApiError carrying a problem the UI can show as it is.
 */


export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, as every FlowDesk error response carries them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }

  get status(): number {
    return this.problem.status;
  }

  /**
   * Field messages keyed by the field's name in the request body (`body.title` → `title`).
   * Errors about other parts (query, headers) keep their full dotted path.
   */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { field, message } of this.problem.errors ?? []) {
      const key = field.startsWith('body.') ? field.slice(5) : field;
      out[key] = out[key] ? `${out[key]}; ${message}` : message;
    }
    return out;
  }
}

export const BASE = '/api/v1';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * false: a 401 is the caller's business (signing in, probing the session); otherwise a
   * 401 also tells the app the session is gone, so it can send the user to sign in.
   */
  authRedirect?: boolean;
}

/**
 * The session's CSRF token, kept in memory only (never in storage): the server hands it
 * out with the signed-in user, and every write made with the session cookie echoes it.
 */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

let unauthorizedHandler: ((problem: Problem) => void) | null = null;
/** Called whenever an API call answers 401 (except sign-in itself): the session is gone. */
export function onUnauthorized(handler: ((problem: Problem) => void) | null): void {
  unauthorizedHandler = handler;
}

let forbiddenHandler: ((problem: Problem) => void) | null = null;
/** Called whenever an API call answers 403: what the session may do has likely changed. */
export function onForbidden(handler: ((problem: Problem) => void) | null): void {
  forbiddenHandler = handler;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as Problem).status === 'number' && typeof (value as Problem).title === 'string';
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: `Could not reach the FlowDesk API (${error instanceof Error ? error.message : String(error)}). Check your connection and try again.`,
    });
  }

  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const problem: Problem = isProblem(parsed)
      ? { ...parsed, detail: parsed.detail ?? parsed.title }
      : {
          type: 'about:blank',
          title: response.statusText || 'Request failed',
          status: response.status,
          detail: `The server answered ${response.status} ${response.statusText}`.trim() + (text && !parsed ? `: ${text.slice(0, 200)}` : ''),
          requestId: response.headers.get('x-request-id') ?? undefined,
        };
    if (response.status === 401 && options.authRedirect !== false) unauthorizedHandler?.(problem);
    if (response.status === 403) forbiddenHandler?.(problem);
    throw new ApiError(problem);
  }
  if (response.status === 204) return undefined as T;
  if (parsed === undefined) {
    throw new ApiError({ type: 'about:blank', title: 'Unexpected response', status: response.status, detail: 'The server answered without a JSON body' });
  }
  return parsed as T;
}


/** Turns anything thrown into a problem to display. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { type: 'about:blank', title: 'Unexpected error', status: 0, detail: error instanceof Error ? error.message : String(error) };
}

/* ---------- Identity ---------- */

import { CloudError, cloudErrorKindOf } from '../../domain/automation/cloud';

/**
 * One HTTP exchange with a cloud API over Node's fetch. It never throws for an HTTP status
 * (the caller decides what a 401 means); it throws a CloudError for a request that got no
 * answer, telling apart one that may have changed something (`outcome_unknown`) from one
 * that cannot have (`unreachable`), and passes a caller's abort through untouched.
 */

export interface CloudRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  /** Safe to send twice (reads, asking for a token); a POST action is not. */
  idempotent: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  /** What the request is for, as an operator reads it: `Nova os-stop on server 5046e2f2…`. */
  what: string;
}

export interface CloudResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else its text ('' when empty). */
  body: unknown;
}

const NOT_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'];

export async function send(request: CloudRequest): Promise<CloudResponse> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: { Accept: 'application/json', ...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...request.headers },
      body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
      signal,
      redirect: 'manual',
    });
    text = await response.text();
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason ?? error;
    throw noAnswer(request, error as Error & { cause?: { code?: string } }, timeout.aborted);
  }
  const json = (response.headers.get('content-type') ?? '').includes('json');
  let body: unknown = text;
  if (json && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new CloudError('unexpected_response', `${request.what}: the answer (HTTP ${response.status}) says it is JSON but is not: ${excerpt(text)}`, { status: response.status });
    }
  }
  return { status: response.status, headers: response.headers, body };
}

function noAnswer(request: CloudRequest, error: Error & { cause?: { code?: string; message?: string } }, timedOut: boolean): CloudError {
  const code = error.cause?.code ?? '';
  const why = timedOut ? `no answer within ${request.timeoutMs} ms` : `${code || error.cause?.message || error.message}`;
  const where = new URL(request.url).host;
  if (!timedOut && NOT_SENT.includes(code)) {
    return new CloudError('unreachable', `${request.what}: cannot reach ${where} (${why}); check the URL and that this worker's zone can reach it`);
  }
  if (!request.idempotent) {
    return new CloudError('outcome_unknown', `${request.what}: the request was sent to ${where} but ${timedOut ? 'no answer came' : `the connection failed (${why})`}, so it may have been carried out; check the server in the cloud before running it again`);
  }
  return new CloudError('unreachable', `${request.what}: ${where} did not answer (${why})`);
}

/**
 * The CloudError for an HTTP error answer, with the service's own message: Nova's fault
 * (`{"conflictingRequest": {"code": 409, "message": …}}`), Keystone's
 * (`{"error": {"code": 401, "title": …, "message": …}}`), or a proxy's text.
 */
export function errorOf(request: Pick<CloudRequest, 'what'>, response: CloudResponse, hint = ''): CloudError {
  const kind = cloudErrorKindOf(response.status);
  const requestId = response.headers.get('x-openstack-request-id') ?? response.headers.get('x-compute-request-id') ?? undefined;
  const retryAfterMs = retryAfter(response.headers.get('retry-after'));
  const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
  const message = [
    `${request.what}: HTTP ${response.status}: ${location ? `redirected to ${location}; use that URL in the settings` : messageOf(response.body)}`,
    hint,
    retryAfterMs !== undefined ? `retry after ${Math.round(retryAfterMs / 1000)} s` : '',
    requestId ? `(request ${requestId})` : '',
  ].filter(Boolean);
  return new CloudError(kind, message.join(' '), { status: response.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), ...(requestId ? { requestId } : {}) });
}

function messageOf(body: unknown): string {
  if (typeof body === 'string') return body.trim() === '' ? '(no message)' : excerpt(body.replace(/<[^>]*>/g, ' '));
  if (body && typeof body === 'object') {
    const values = Object.values(body as Record<string, unknown>);
    const fault = values.length === 1 ? values[0] : undefined;
    if (fault && typeof fault === 'object' && typeof (fault as { message?: unknown }).message === 'string') return (fault as { message: string }).message;
  }
  return excerpt(JSON.stringify(body));
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

import type { HttpStatusMatch } from './runbook';

/**
 * The pure half of the `http.request` step: which statuses it expects, which answers are
 * worth another attempt, what of a response is kept. docs/automation-steps.md#httprequest.
 */

/** Response headers kept in the step's output; the others are dropped (cookies among them). */
export const KEPT_RESPONSE_HEADERS = ['content-type', 'content-length', 'content-encoding', 'location', 'etag', 'last-modified', 'retry-after', 'x-request-id', 'x-correlation-id', 'www-authenticate'] as const;

/** Of the body, at most this much is kept (text), so body and parsed JSON both fit the 64 KiB output. */
export const HTTP_BODY_CAP_BYTES = 24 * 1024;

/** Answers that say "not now" rather than "no": an idempotent step tries again (after Retry-After when given). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

export const STATUS_CLASS = /^[1-5]xx$/;

/** Whether `status` is one the step expects; without `expect`, any 2xx. */
export function statusExpected(status: number, expect: HttpStatusMatch | HttpStatusMatch[] | undefined): boolean {
  const matches = expect === undefined ? ['2xx' as const] : Array.isArray(expect) ? expect : [expect];
  return matches.some((m) => (typeof m === 'number' ? m === status : Math.floor(status / 100) === Number(m[0])));
}

export function describeExpected(expect: HttpStatusMatch | HttpStatusMatch[] | undefined): string {
  const matches = expect === undefined ? ['2xx'] : Array.isArray(expect) ? expect : [expect];
  return matches.join(' or ');
}

/** A URL the step may call: http or https, no credentials in it. Returns the reason when not. */
export function urlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `'${text.length > 200 ? `${text.slice(0, 197)}…` : text}' is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the URL must be http or https, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password) return 'the URL must not carry a user or password: name an http_basic credential instead';
  return null;
}

/** Header names as RFC 9110 tokens. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/** A header value must not break out into another header. */
export function headerValueProblem(name: string, value: string): string | null {
  return /[\r\n\0]/.test(value) ? `header ${name}: its value contains a line break or NUL, which would start another header` : null;
}

import { describeExpected, headerValueProblem, HTTP_BODY_CAP_BYTES, KEPT_RESPONSE_HEADERS, RETRYABLE_STATUSES, statusExpected, urlProblem } from '../../domain/automation/http';
import type { HttpRequestStep } from '../../domain/automation/runbook';
import type { ResolvedCredential } from '../../domain/credential';
import { retryAfter } from '../cloud/request';
import type { HostStepInput, HostStepSummary } from './hostSteps';
import { render, TemplateError } from './render';
import { guarded, HostStep, type StepDeps } from './stepRecord';

/**
 * The `http.request` step on a zone worker, so it reaches what the zone reaches. Whether it
 * is tried again: a request that could not be sent (refused, no route, no DNS) never did
 * anything, and is `unreachable`; one sent without an answer, or answered 408/429/502/503/504,
 * is tried again only when the step is idempotent (GET, HEAD and OPTIONS are by default; a
 * POST, PUT, PATCH or DELETE only with `idempotent: true`). A non-idempotent request whose
 * connection dropped after it was sent is `unknown`, which the run asks an operator about.
 * Redirects are not followed. docs/automation-steps.md#httprequest.
 */

/** Network errors that mean the request never left this worker. */
const NOT_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'];

export function createHttpStepActivities(deps: StepDeps) {
  async function runHttpStep(input: HostStepInput): Promise<HostStepSummary> {
    const step = await HostStep.begin<HttpRequestStep>(deps, input);
    return guarded(step, () => httpStep(step));
  }

  return {
    /** One `http.request` step for one target. */
    runHttpStep,
  };
}

interface Prepared {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

async function httpStep(step: HostStep<HttpRequestStep>): Promise<HostStepSummary> {
  const definition = step.step;
  let request: Prepared;
  try {
    request = prepare(definition, step.context);
  } catch (error) {
    if (error instanceof TemplateError || error instanceof RequestInputError) return step.fail(error.message);
    throw error;
  }
  if (definition.credential) {
    const credential = await step.credential(definition.credential);
    const authorization = authorizationOf(credential);
    if (!authorization) return step.fail(`credential ${credential.name} is ${credential.kind}; an http.request takes http_bearer or http_basic`);
    step.secrets.push(authorization, authorization.replace(/^\S+ /, ''));
    request.headers.authorization = authorization;
  }

  await step.start();
  step.say(`${request.method} ${request.url}`);
  const timeout = AbortSignal.timeout(Math.max(1000, step.remainingMs()));
  let response: Response;
  let body: { text: string; bytes: number; truncated: boolean };
  try {
    response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual', signal: AbortSignal.any([step.signal, timeout]) });
    body = await readCapped(response, HTTP_BODY_CAP_BYTES);
  } catch (error) {
    if (step.signal.aborted) return step.cancelled();
    const code = (error as { cause?: { code?: string } }).cause?.code ?? '';
    const where = new URL(request.url).host;
    if (!timeout.aborted && NOT_SENT.includes(code)) return step.retryOr('unreachable', `cannot reach ${where} (${code}): nothing was sent`, 'HttpUnreachable');
    const why = timeout.aborted ? `no answer within the step's ${Math.round(step.deadlineMs / 1000)} s` : `the connection failed (${code || (error as Error).message})`;
    if (!step.plan.idempotent) {
      return step.finish({ status: timeout.aborted ? 'timed_out' : 'unknown', error: `${request.method} ${where}: the request was sent but ${why}, so it may have been carried out; it is not sent again (the step is not idempotent)` });
    }
    return step.retryOr(timeout.aborted ? 'timed_out' : 'failed', `${request.method} ${where}: ${why}`, 'HttpNoAnswer');
  }

  const headers = Object.fromEntries(KEPT_RESPONSE_HEADERS.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name)!]] : [])));
  const output: Record<string, unknown> = { status: response.status, statusText: response.statusText, url: request.url, headers, bodyBytes: body.bytes, truncated: body.truncated, body: body.text };
  const json = !body.truncated && (response.headers.get('content-type') ?? '').includes('json') ? parseJson(body.text) : undefined;
  if (json !== undefined) output.json = json;
  const summary = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} · ${body.bytes} bytes${headers['content-type'] ? ` · ${headers['content-type']}` : ''}\n`;
  if (statusExpected(response.status, definition.expectStatus)) return step.finish({ status: 'succeeded', output, stdout: summary });
  const message = `HTTP ${response.status} from ${request.method} ${new URL(request.url).host}, expected ${describeExpected(definition.expectStatus)}`;
  if (RETRYABLE_STATUSES.has(response.status) && step.plan.idempotent && !step.lastAttempt) {
    return step.retryOr('failed', message, 'HttpRetryableStatus', retryAfter(response.headers.get('retry-after')));
  }
  return step.finish({ status: 'failed', error: message, output, stdout: summary });
}

class RequestInputError extends Error {
  override readonly name = 'RequestInputError';
}

/** The step's request for this target: URL values percent-encoded, headers checked, the body rendered. */
function prepare(step: HttpRequestStep, context: object): Prepared {
  const url = render(step.url, context, 'url').trim();
  const problem = urlProblem(url);
  if (problem) throw new RequestInputError(problem);
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(step.headers ?? {})) {
    const value = render(template, context, 'text');
    const bad = headerValueProblem(name, value);
    if (bad) throw new RequestInputError(bad);
    headers[name.toLowerCase()] = value;
  }
  let body: string | undefined;
  if (step.body !== undefined) body = render(step.body, context, 'text');
  if (step.json !== undefined) {
    body = JSON.stringify(renderJson(step.json, context));
    headers['content-type'] ??= 'application/json';
  }
  return { method: step.method ?? 'GET', url, headers, ...(body !== undefined && { body }) };
}

/** Every string of a JSON value rendered: a value cannot break out of its string, whatever it holds. */
function renderJson(value: unknown, context: object): unknown {
  if (typeof value === 'string') return render(value, context, 'text');
  if (Array.isArray(value)) return value.map((item) => renderJson(item, context));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, renderJson(inner, context)]));
  return value;
}

function authorizationOf(credential: ResolvedCredential): string | null {
  if (credential.kind === 'http_bearer') return `Bearer ${credential.token}`;
  if (credential.kind === 'http_basic') return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
  return null;
}

/** The first `cap` bytes of the body as text; the rest is read and counted, not kept. */
async function readCapped(response: Response, cap: number): Promise<{ text: string; bytes: number; truncated: boolean }> {
  if (!response.body) return { text: '', bytes: 0, truncated: false };
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    if (keptBytes < cap) {
      const part = chunk.subarray(0, cap - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(kept));
  return { text: bytes > keptBytes ? text.replace(/\uFFFD$/, '') : text, bytes, truncated: bytes > keptBytes };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

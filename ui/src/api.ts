/**
 * A small typed client for the FlowDesk REST API (/api/v1). Every failure, whether the
 * server answered with an application/problem+json body or the request never arrived,
 * is thrown as an ApiError carrying a problem the UI can show as it is.
 */

export type Level = 1 | 2 | 3;
export type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
export const INCIDENT_STATES = ['new', 'in_progress', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface TimelineEntry {
  at: string;
  actor: string;
  kind: 'created' | 'assigned' | 'state_changed';
  text: string;
  from?: IncidentState;
  to?: IncidentState;
}

export interface Incident {
  number: string;
  kind: 'incident';
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  priority: Priority;
  state: IncidentState;
  assignee: string | null;
  resolutionCode: string | null;
  resolutionNotes: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  version: number;
  timeline: TimelineEntry[];
}

export interface IncidentPage {
  items: Incident[];
  nextCursor: string | null;
}

export interface NewIncident {
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
}

export interface ActionBodies {
  assign: { assignee: string };
  start: Record<string, never>;
  resolve: { resolutionCode: string; resolutionNotes: string };
  close: Record<string, never>;
}
export type ActionType = keyof ActionBodies;

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

const BASE = '/api/v1';

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as Problem).status === 'number' && typeof (value as Problem).title === 'string';
}

async function request<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${BASE}${path}`, {
      method,
      headers,
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
    if (isProblem(parsed)) throw new ApiError({ ...parsed, detail: parsed.detail ?? parsed.title });
    throw new ApiError({
      type: 'about:blank',
      title: response.statusText || 'Request failed',
      status: response.status,
      detail: `The server answered ${response.status} ${response.statusText}`.trim() + (text && !parsed ? `: ${text.slice(0, 200)}` : ''),
      requestId: response.headers.get('x-request-id') ?? undefined,
    });
  }
  if (parsed === undefined) {
    throw new ApiError({ type: 'about:blank', title: 'Unexpected response', status: response.status, detail: 'The server answered without a JSON body' });
  }
  return parsed as T;
}

export interface ListOptions {
  state?: IncidentState;
  limit?: number;
  cursor?: string | null;
  signal?: AbortSignal;
}

export function listIncidents({ state, limit = 50, cursor, signal }: ListOptions = {}): Promise<IncidentPage> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (state) query.set('state', state);
  if (cursor) query.set('cursor', cursor);
  return request<IncidentPage>('GET', `/incidents?${query}`, { signal });
}

export function createIncident(input: NewIncident): Promise<Incident> {
  return request<Incident>('POST', '/incidents', { body: input });
}

export function getIncident(number: string, signal?: AbortSignal): Promise<Incident> {
  return request<Incident>('GET', `/incidents/${encodeURIComponent(number)}`, { signal });
}

/** Runs an action; `version` is the one the user saw, so a concurrent change yields 412. */
export function act<A extends ActionType>(number: string, action: A, body: ActionBodies[A], version: number): Promise<Incident> {
  return request<Incident>('POST', `/incidents/${encodeURIComponent(number)}/actions/${action}`, {
    body,
    headers: { 'If-Match': `"${version}"` },
  });
}

/** Turns anything thrown into a problem to display. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { type: 'about:blank', title: 'Unexpected error', status: 0, detail: error instanceof Error ? error.message : String(error) };
}

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
  assignmentGroup: string | null;
  assignee: string | null;
  openedBy: string;
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
  /** Name of an existing assignment group. */
  assignmentGroup?: string;
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

async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
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

/* ---------- Identity ---------- */

export const PERMISSIONS = ['incident.read', 'incident.read_all', 'incident.create', 'incident.act', 'profile.tokens', 'identity.read', 'identity.admin', 'audit.read'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface User {
  username: string;
  displayName: string;
  email: string | null;
  manager: string | null;
  active: boolean;
  roles: string[];
  source: 'local' | 'ldap' | 'oidc';
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Me {
  user: User;
  groups: string[];
  permissions: string[];
  via: 'session' | 'token';
  csrfToken?: string;
}

export interface SsoProvider {
  id: string;
  name: string;
  url: string;
}

export function login(username: string, password: string): Promise<Me> {
  return request<Me>('POST', '/auth/login', { body: { username, password }, authRedirect: false });
}

/** The signed-in user; a 401 here just means nobody is signed in. */
export function getMe(signal?: AbortSignal): Promise<Me> {
  return request<Me>('GET', '/auth/me', { signal, authRedirect: false });
}

export function logout(): Promise<void> {
  return request<void>('POST', '/auth/logout', { authRedirect: false });
}

/** Single sign-on providers offered on the sign-in page (absent on servers without SSO). */
export function listSsoProviders(signal?: AbortSignal): Promise<{ items: SsoProvider[]; ldap?: boolean }> {
  return request<{ items: SsoProvider[]; ldap?: boolean }>('GET', '/auth/providers', { signal, authRedirect: false });
}

export interface ApiToken {
  id: string;
  owner: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function listMyTokens(signal?: AbortSignal): Promise<{ items: ApiToken[] }> {
  return request<{ items: ApiToken[] }>('GET', '/me/tokens', { signal });
}

export function createMyToken(input: { name: string; scopes: string[]; expiresInDays: number | null }): Promise<{ token: string; record: ApiToken }> {
  return request<{ token: string; record: ApiToken }>('POST', '/me/tokens', { body: input });
}

export function revokeMyToken(id: string): Promise<void> {
  return request<void>('DELETE', `/me/tokens/${encodeURIComponent(id)}`);
}

export interface NewUser {
  username: string;
  displayName: string;
  email: string | null;
  manager: string | null;
  roles: string[];
  password?: string;
}

export interface UserPatch {
  displayName?: string;
  email?: string | null;
  manager?: string | null;
  roles?: string[];
  active?: boolean;
  password?: string;
  unlock?: true;
}

export function listUsers(signal?: AbortSignal): Promise<{ items: User[] }> {
  return request<{ items: User[] }>('GET', '/users', { signal });
}

export function createUser(input: NewUser): Promise<User> {
  return request<User>('POST', '/users', { body: input });
}

export function updateUser(username: string, patch: UserPatch): Promise<User> {
  return request<User>('PATCH', `/users/${encodeURIComponent(username)}`, { body: patch });
}

export interface Group {
  name: string;
  displayName: string;
  manager: string | null;
  members: string[];
  createdAt: string;
  updatedAt: string;
}

export function listGroups(signal?: AbortSignal): Promise<{ items: Group[] }> {
  return request<{ items: Group[] }>('GET', '/groups', { signal });
}

export function createGroup(input: { name: string; displayName: string; manager: string | null; members: string[] }): Promise<Group> {
  return request<Group>('POST', '/groups', { body: input });
}

export function updateGroup(name: string, patch: { displayName?: string; manager?: string | null; members?: string[] }): Promise<Group> {
  return request<Group>('PATCH', `/groups/${encodeURIComponent(name)}`, { body: patch });
}

export interface Role {
  name: string;
  description: string;
  permissions: string[];
  builtIn: boolean;
}

export interface RoleList {
  items: Role[];
  /** Every permission and what it allows. */
  permissions: Record<string, string>;
}

export function listRoles(signal?: AbortSignal): Promise<RoleList> {
  return request<RoleList>('GET', '/roles', { signal });
}

export function putRole(name: string, input: { description: string; permissions: string[] }): Promise<Role> {
  return request<Role>('PUT', `/roles/${encodeURIComponent(name)}`, { body: input });
}

/* ---------- Audit ---------- */

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { type: string; id: string; name?: string };
  action: string;
  target: { type: string; id: string };
  outcome?: 'success' | 'denied' | 'failure' | string;
  diff?: Record<string, { before?: unknown; after?: unknown }>;
  clientAddress?: string;
  requestId?: string;
  detail?: string;
}

export interface AuditFilters {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** ISO date-times. */
  from?: string;
  to?: string;
}

export const AUDIT_FILTER_KEYS = ['actor', 'action', 'targetType', 'targetId', 'from', 'to'] as const;

export function auditQuery(filters: AuditFilters): URLSearchParams {
  const query = new URLSearchParams();
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) query.set(key, value);
  }
  return query;
}

/** The server's cursor is opaque to the UI (a sequence number today). */
export type AuditCursor = string | number;

export function listAudit(filters: AuditFilters, { limit = 50, cursor, signal }: { limit?: number; cursor?: AuditCursor | null; signal?: AbortSignal } = {}): Promise<{ items: AuditEntry[]; nextCursor: AuditCursor | null }> {
  const query = auditQuery(filters);
  query.set('limit', String(limit));
  if (cursor !== undefined && cursor !== null && cursor !== '') query.set('cursor', String(cursor));
  return request<{ items: AuditEntry[]; nextCursor: AuditCursor | null }>('GET', `/audit?${query}`, { signal });
}

/** A plain link: the browser downloads the export with the session cookie. */
export function auditExportUrl(format: 'csv' | 'json', filters: AuditFilters): string {
  const query = auditQuery(filters);
  query.set('format', format);
  return `${BASE}/audit/export?${query}`;
}

export type AuditVerifyResult = { ok: true; checked: number } | { ok: false; checked: number; firstBroken: { seq: number; reason: string } };

export function verifyAudit(): Promise<AuditVerifyResult> {
  return request<AuditVerifyResult>('GET', '/audit/verify');
}

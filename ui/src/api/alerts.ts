import { BASE, request } from './http';

/** The alert center: stored alerts, acknowledging, silences (docs/alerts-intake.md#console-api). */

export const ALERT_STATES = ['firing', 'acknowledged', 'suppressed', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const SEVERITIES = ['critical', 'major', 'minor', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ALERT_SOURCES = ['alertmanager', 'zabbix', 'events', 'snmp', 'threshold'] as const;

export interface CiSummary {
  id: string;
  name: string;
  class: string;
  criticality: string | null;
}

export interface AlertContext {
  ci: CiSummary;
  foundBy: string;
  zone: string | null;
  applications: CiSummary[];
  businessSystems: CiSummary[];
  ownerGroup: string | null;
  environment: string | null;
  criticality: string | null;
}

export interface AlertHistoryEntry {
  at: string;
  type: 'state' | 'flapping';
  from?: string | null;
  to?: string;
  flapping?: boolean;
  reason: string;
  by?: string;
}

export interface Alert {
  id: string;
  fingerprint: string;
  episode: number;
  source: string;
  sender: string;
  nativeKey: string;
  name: string;
  severity: Severity;
  nativeSeverity: string | null;
  state: AlertState;
  summary: string;
  description: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  resource: Record<string, string>;
  ciId: string | null;
  context: AlertContext | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  startsAt: string;
  endsAt: string | null;
  resolvedAt: string | null;
  acknowledged: { by: string; at: string } | null;
  suppressedBy: Array<{ kind: 'silence' | 'maintenance'; id: string }>;
  flapping: { since: string | null; changes: string[] };
  generatorURL: string | null;
  groupKey?: string;
  incident?: string;
  history?: AlertHistoryEntry[];
  payload?: unknown;
}

export interface AlertFilters {
  state?: AlertState[];
  severity?: Severity[];
  source?: string[];
  label?: string[];
  /** A CI id; an application CI id; a group key. */
  ci?: string;
  application?: string;
  group?: string;
}

/** The filters as query parameters, as GET /alerts, /alerts/stream and /alerts/groups take them. */
export function filterQuery(filters: AlertFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.state?.length) query.set('state', filters.state.join(','));
  if (filters.severity?.length) query.set('severity', filters.severity.join(','));
  if (filters.source?.length) query.set('source', filters.source.join(','));
  for (const label of filters.label ?? []) query.append('label', label);
  if (filters.ci) query.set('ci', filters.ci);
  if (filters.application) query.set('application', filters.application);
  if (filters.group) query.set('group', filters.group);
  return query;
}

export function listAlerts(filters: AlertFilters, { limit = 100, cursor, signal }: { limit?: number; cursor?: string | null; signal?: AbortSignal } = {}) {
  const query = filterQuery(filters);
  query.set('limit', String(limit));
  if (cursor) query.set('cursor', cursor);
  return request<{ items: Alert[]; nextCursor: string | null }>('GET', `/alerts?${query}`, { signal });
}

/** The live list's server-sent events (`ready`, `alerts`); EventSource sends the session cookie and Last-Event-ID. */
export const alertStreamUrl = (filters: AlertFilters) => `${BASE}/alerts/stream?${filterQuery(filters)}`;

/** An `alerts` event: changed alerts that match (with their revision), and changed ones that no longer do. */
export interface AlertStreamBatch {
  alerts: Array<Alert & { rev: number }>;
  gone: string[];
}

export interface AlertGroupSummary {
  key: string;
  rule: string;
  alerts: number;
  events: number;
  states: Record<AlertState, number>;
  severity: Severity;
  latest: { id: string; name: string; summary: string };
  cis: Array<{ id: string; name: string }>;
  ciCount: number;
  applications: Array<{ id: string; name: string }>;
  firstSeen: string;
  lastSeen: string;
  incident: string | null;
}

export function listAlertGroups(filters: AlertFilters, { limit = 50, cursor, signal }: { limit?: number; cursor?: string | null; signal?: AbortSignal } = {}) {
  const query = filterQuery(filters);
  query.set('limit', String(limit));
  if (cursor) query.set('cursor', cursor);
  return request<{ items: AlertGroupSummary[]; nextCursor: string | null }>('GET', `/alerts/groups?${query}`, { signal });
}

export interface NoiseFigures {
  source: string;
  events: number;
  alerts: number;
  groups: number;
  resolved: number;
  autoResolved: number;
  dedupRatio: number | null;
  correlationRatio: number | null;
  autoResolvedShare: number | null;
}

export interface NoiseReport {
  from: string;
  to: string;
  sources: NoiseFigures[];
  total: NoiseFigures;
  truncated: boolean;
}

export const getNoise = (from: string, to: string, signal?: AbortSignal) => request<NoiseReport>('GET', `/alerts/noise?${new URLSearchParams({ from, to })}`, { signal });

export interface AlertRun {
  id: string;
  runbook: { id: string; version: number; name: string };
  status: string;
  trigger: { type: string; ref?: string };
  targets: number;
  createdAt: string;
  finishedAt: string | null;
  summary: string | null;
}

export const getAlertRuns = (id: string, signal?: AbortSignal) => request<{ items: AlertRun[] }>('GET', `/alerts/${encodeURIComponent(id)}/runs`, { signal }).then((r) => r.items);

const alertPath = (id: string) => `/alerts/${encodeURIComponent(id)}`;

export const getAlert = (id: string, signal?: AbortSignal) => request<Alert>('GET', alertPath(id), { signal });
export const acknowledgeAlert = (id: string) => request<Alert>('POST', `${alertPath(id)}/acknowledge`, { body: {} });
export const unacknowledgeAlert = (id: string) => request<Alert>('POST', `${alertPath(id)}/unacknowledge`, { body: {} });

export interface Silence {
  id: string;
  matchers: Array<{ name: string; op: string; value: string }>;
  text: string;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  createdAt: string;
  state: 'pending' | 'active' | 'expired';
}

export interface NewSilence {
  matchers: string;
  endsAt: string;
  comment: string;
  startsAt?: string;
}

export const listSilences = (signal?: AbortSignal) => request<{ items: Silence[] }>('GET', '/alerts/silences', { signal }).then((r) => r.items);
export const previewSilence = (body: NewSilence) => request<{ matches: string[]; scanned: number }>('POST', '/alerts/silences/preview', { body });
export const createSilence = (body: NewSilence) => request<Silence>('POST', '/alerts/silences', { body });
export const expireSilence = (id: string) => request<Silence>('DELETE', `/alerts/silences/${encodeURIComponent(id)}`);

export interface WeeklyWindow {
  days: string[];
  start: string;
  end: string;
}

export interface Recurrence {
  timeZone: string;
  windows: WeeklyWindow[];
}

export interface MaintenanceWindow {
  id: string;
  title: string;
  scope: { cis: string[] } | { selector: unknown };
  startsAt: string;
  endsAt?: string;
  recurrence?: Recurrence;
  recurrenceText?: string;
  createdBy: string;
  comment?: string;
  change?: string;
  createdAt: string;
  state: 'pending' | 'active' | 'expired';
}

export interface NewMaintenanceWindow {
  title: string;
  scope: { cis: string[] } | { selector: unknown };
  startsAt?: string;
  endsAt?: string;
  recurrence?: Recurrence;
  comment?: string;
}

export interface MaintenanceOccurrence {
  window: string;
  title: string;
  recurring: boolean;
  startsAt: string;
  endsAt: string | null;
}

export const listMaintenance = (signal?: AbortSignal) => request<{ items: MaintenanceWindow[] }>('GET', '/alerts/maintenance', { signal }).then((r) => r.items);
export const createMaintenance = (body: NewMaintenanceWindow) => request<MaintenanceWindow>('POST', '/alerts/maintenance', { body });
export const endMaintenance = (id: string) => request<MaintenanceWindow>('DELETE', `/alerts/maintenance/${encodeURIComponent(id)}`);
export const maintenanceOccurrences = (from: string, to: string, signal?: AbortSignal) =>
  request<{ from: string; to: string; items: MaintenanceOccurrence[]; truncated: boolean }>('GET', `/alerts/maintenance/occurrences?${new URLSearchParams({ from, to })}`, { signal });

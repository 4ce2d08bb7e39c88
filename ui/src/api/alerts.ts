import { request } from './http';

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
}

export function listAlerts(filters: AlertFilters, { limit = 100, cursor, signal }: { limit?: number; cursor?: string | null; signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (filters.state?.length) query.set('state', filters.state.join(','));
  if (filters.severity?.length) query.set('severity', filters.severity.join(','));
  if (filters.source?.length) query.set('source', filters.source.join(','));
  for (const label of filters.label ?? []) query.append('label', label);
  if (cursor) query.set('cursor', cursor);
  return request<{ items: Alert[]; nextCursor: string | null }>('GET', `/alerts?${query}`, { signal });
}

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

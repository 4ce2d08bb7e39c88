import { request } from './http';

export type Level = 1 | 2 | 3;
export type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
export const INCIDENT_STATES = ['new', 'in_progress', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface TimelineEntry {
  at: string;
  actor: string;
  kind: 'created' | 'assigned' | 'state_changed' | 'comment' | 'work_note';
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
  comment: { text: string; workNote: boolean };
}
export type ActionType = keyof ActionBodies;

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


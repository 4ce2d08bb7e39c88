import { request } from './http';

// The incident's shape and states come from the domain the server runs, so they cannot drift.
import type { Incident, IncidentState } from '../../../domain/incident';
import type { Level } from '../../../domain/priority';

export { INCIDENT_STATES } from '../../../domain/incident';
export type { Incident, IncidentState, TimelineEntry } from '../../../domain/incident';
export type { Level, Priority } from '../../../domain/priority';

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


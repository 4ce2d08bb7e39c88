import { BASE, request } from './http';

// Ticket shapes, states and rules come from the domain the server runs, so they cannot drift.
import type { SlaDisplay } from '../../../domain/sla/ticketSla';
import type { HoldReason, Incident } from '../../../domain/ticket/incident';
import type { Problem as ProblemTicket } from '../../../domain/ticket/problem';
import type { ServiceRequest } from '../../../domain/ticket/request';
import type { Ticket as DomainTicket } from '../../../domain/ticket/ticket';
import type { TicketKind } from '../../../domain/ticketNumber';
import type { Level } from '../../../domain/priority';

export { HOLD_REASONS } from '../../../domain/ticket/incident';
export { INCIDENT_STATES } from '../../../domain/ticket/incident';
export { PROBLEM_STATES } from '../../../domain/ticket/problem';
export { REQUEST_STATES } from '../../../domain/ticket/request';
export { PRIORITIES } from '../../../domain/priority';
export type { Approval, ApprovalLevel, Approver } from '../../../domain/approval';
export type { TimelineEntry } from '../../../domain/ticket/common';
export type { FulfilmentTask } from '../../../domain/ticket/request';
export type { HoldReason } from '../../../domain/ticket/incident';
export type { Level, Priority } from '../../../domain/priority';
export type { SlaDisplay } from '../../../domain/sla/ticketSla';

/** The ticket as the API answers it: the stored clocks (`slas`) become display clocks (`sla`). */
type Presented<T> = T extends unknown ? Omit<T, 'slas'> & { sla: SlaDisplay[] } : never;
export type Ticket = Presented<DomainTicket>;
export type IncidentTicket = Presented<Incident>;
export type RequestTicket = Presented<ServiceRequest>;
export type ProblemTicketView = Presented<ProblemTicket>;
export type TicketState = Ticket['state'];
/** The kinds the API lists and opens (changes come later). */
export type ListedKind = Exclude<TicketKind, 'change'>;
export const LISTED_KINDS: readonly ListedKind[] = ['incident', 'request', 'problem'];

/** The queues of GET /tickets; each has its own filter and sort on the server. */
export const QUEUES = ['mine', 'my_groups', 'unassigned', 'breaching', 'recent', 'all', 'approvals', 'opened'] as const;
export type Queue = (typeof QUEUES)[number];

export interface TicketFilters {
  kind?: ListedKind;
  state?: TicketState;
  priority?: Ticket['priority'];
  group?: string;
  assignee?: string;
  /** A ticket number, or words that must all appear in the title or description. */
  q?: string;
}
export const FILTER_KEYS = ['kind', 'state', 'priority', 'group', 'assignee', 'q'] as const;

export interface TicketPage {
  items: Ticket[];
  nextCursor: string | null;
}

export function listTickets(queue: Queue, filters: TicketFilters, { limit = 50, cursor, signal }: { limit?: number; cursor?: string | null; signal?: AbortSignal } = {}): Promise<TicketPage> {
  const query = new URLSearchParams({ queue, limit: String(limit) });
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) query.set(key, value);
  }
  if (cursor) query.set('cursor', cursor);
  return request<TicketPage>('GET', `/tickets?${query}`, { signal });
}

export function getTicket(number: string, signal?: AbortSignal): Promise<Ticket> {
  return request<Ticket>('GET', `/tickets/${encodeURIComponent(number)}`, { signal });
}

/** Server-sent events: `ticket` with {number, version, updatedAt} whenever the ticket changes. */
export function ticketStreamUrl(number: string): string {
  return `${BASE}/tickets/${encodeURIComponent(number)}/stream`;
}

export interface TicketChanged {
  number: string;
  version: number;
  updatedAt: string;
}

/** What each action takes; the API checks the same and the ticket's workflow decides whether it applies now. */
export interface ActionBodies {
  assign: { group?: string | null; assignee?: string | null };
  comment: { text: string; workNote: boolean };
  update: { changes: FieldChanges };
  watch: { watching: boolean };
  start: Record<string, never>;
  hold: { reason: HoldReason; comment?: string };
  resume: Record<string, never>;
  resolve: { resolutionCode: string; resolutionNotes: string; resolveIncidents?: boolean };
  close: Record<string, never>;
  cancel: { reason: string };
  reopen: { reason: string };
  set_parent: { parent: string | null };
  link_problem: { problem: string | null };
  decide: { decision: 'approve' | 'reject'; comment: string };
  delegate: { from?: string; to: string };
  assign_task: { task: string; assignee: string | null };
  complete_task: { task: string; notes: string };
  analyse: { rootCause?: string; workaround?: string };
  publish_known_error: Record<string, never>;
}
export type ActionType = keyof ActionBodies;

export interface FieldChanges {
  title?: string;
  description?: string;
  impact?: Level;
  urgency?: Level;
  category?: string | null;
  service?: string | null;
  affectedCis?: string[];
}

/** Runs an action with the version the user saw: a change made meanwhile answers 412. */
export function act<A extends ActionType>(number: string, type: A, body: ActionBodies[A], version: number): Promise<Ticket> {
  return request<Ticket>('POST', `/tickets/${encodeURIComponent(number)}/actions/${type}`, { body, headers: { 'If-Match': `"${version}"` } });
}

export interface NewTicket {
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  category?: string | null;
  service?: string | null;
  affectedCis?: string[];
  /** An existing assignment group; left out, the assignment rules route it. */
  assignmentGroup?: string;
}

/** Opens an incident or a problem; the same `idempotencyKey` on a retry returns the first ticket. */
export function createTicket(kind: 'incident' | 'problem', input: NewTicket, idempotencyKey: string): Promise<Ticket> {
  return request<Ticket>('POST', kind === 'incident' ? '/incidents' : '/problems', { body: input, headers: { 'Idempotency-Key': idempotencyKey } });
}

/** Published problems whose title, description, root cause or workaround contain every word. */
export function searchKnownErrors(q: string, signal?: AbortSignal): Promise<{ items: ProblemTicketView[] }> {
  const query = new URLSearchParams({ limit: '10' });
  if (q.trim()) query.set('q', q.trim());
  return request<{ items: ProblemTicketView[] }>('GET', `/known-errors?${query}`, { signal });
}

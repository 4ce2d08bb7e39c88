import type { Priority } from '../../domain/priority';
import type { TicketKind } from '../../domain/ticketNumber';
import type { TicketSummary } from '../../store/ticketQueue';

// Realistic tickets for the queue benchmarks: a full projection document shaped like
// store/tickets.ts TicketDocument (about 2.2 KB: five timeline entries, two SLA clocks, an
// assignment record) and the queue summary of the same ticket. Deterministic per index.

export const GROUPS = ['service-desk', 'network-ops', 'database', 'identity', 'end-user-computing', 'platform', 'security', 'facilities', 'hr-it', 'finance-apps'];
export const AGENTS = 200;
export const OPEN_STATES = ['new', 'in_progress', 'on_hold', 'pending_approval', 'in_fulfilment', 'known_error'];
const FINAL_STATES = ['closed', 'closed', 'closed', 'closed', 'closed', 'closed', 'closed', 'closed', 'cancelled', 'rejected'];
const KINDS: TicketKind[] = ['incident', 'incident', 'incident', 'incident', 'incident', 'incident', 'request', 'request', 'request', 'problem'];
const PREFIX: Record<TicketKind, string> = { incident: 'INC', request: 'REQ', problem: 'PRB', change: 'CHG' };
const WORDS = 'printer vpn email outlook password reset laptop slow network wifi database backup disk full certificate expired login sso access badge phone teams share drive license upgrade crash error timeout'.split(' ');

/** A small deterministic PRNG, so every run and every strategy sees the same tickets. */
function random(seed: number) {
  let x = (seed * 2654435761) % 4294967296;
  return () => {
    x = (x * 1664525 + 1013904223) % 4294967296;
    return x / 4294967296;
  };
}

export interface SeededTicket {
  full: Record<string, unknown> & { _id: string };
  summary: TicketSummary;
  open: boolean;
}

export interface TicketShape {
  /** Share of open tickets (the work queues), e.g. 0.1. */
  openShare: number;
  /** Share of resolved/fulfilled ones (still in "recently updated"). */
  resolvedShare?: number;
  /** The newest ticket's creation time; ticket i is older by (count - i) minutes. */
  now: number;
  count: number;
}

/** Ticket i (1-based) of a store of `count`; numbers are unique across kinds. */
export function seededTicket(i: number, shape: TicketShape): SeededTicket {
  const r = random(i);
  const pick = <T>(values: readonly T[]) => values[Math.floor(r() * values.length)]!;
  const kind = KINDS[i % KINDS.length]!;
  const number = PREFIX[kind] + String(i).padStart(7, '0');
  const roll = r();
  const open = roll < shape.openShare;
  const resolved = !open && roll < shape.openShare + (shape.resolvedShare ?? 0.02);
  const state = open ? pick(OPEN_STATES) : resolved ? (kind === 'request' ? 'fulfilled' : 'resolved') : pick(FINAL_STATES);
  const created = shape.now - (shape.count - i) * 60_000 - Math.floor(r() * 60_000);
  // Open tickets were touched recently; done ones within three days of opening.
  const updated = Math.min(shape.now - Math.floor(r() * 600_000), open ? shape.now - Math.floor(r() * 3 * 86_400_000) : created + Math.floor(r() * 3 * 86_400_000));
  const group = r() < 0.05 ? null : pick(GROUPS);
  const assignee = state === 'new' || r() < 0.1 ? null : `agent${Math.floor(r() * AGENTS)}`;
  const openedBy = `user${Math.floor(r() * 5000)}`;
  const impact = 1 + Math.floor(r() * 3);
  const urgency = 1 + Math.floor(r() * 3);
  const priority = `P${Math.min(5, impact + urgency - 1)}` as Priority;
  const iso = (t: number) => new Date(t).toISOString();
  const title = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} issue for ${openedBy}`;
  const slaDueAt = open && r() < 0.9 ? iso(shape.now + Math.floor(r() * 5 * 86_400_000) - 86_400_000) : null;
  const timeline = [
    { at: iso(created), actor: openedBy, kind: 'created', text: 'Ticket opened' },
    { at: iso(created + 60_000), actor: 'system', kind: 'assigned', text: `Assigned to ${group}` },
    { at: iso(created + 120_000), actor: assignee ?? 'system', kind: 'state_changed', text: 'Work started', from: 'new', to: 'in_progress' },
    { at: iso(created + 180_000), actor: assignee ?? 'system', kind: 'work_note', text: 'Looked into the logs, waiting for the user to confirm the details of the problem.' },
    { at: iso(updated), actor: openedBy, kind: 'comment', text: 'Thanks, it is still happening on my machine this morning.' },
  ];
  const clock = (targetMs: number) => ({ stage: open ? 'in_progress' : 'stopped', startedAt: iso(created), targetMs, pausedMs: 0, pausedAt: null, stoppedAt: open ? null : iso(updated) });
  const version = 3 + Math.floor(r() * 6);
  const full = {
    _id: number,
    seq: i,
    kind,
    title,
    description: `Reported via portal: ${title}. The user says it started yesterday after a restart and affects their daily work.`,
    category: pick(['network', 'hardware', 'software', 'access']),
    service: pick(['email', 'vpn', 'erp', 'crm', null]),
    affectedCis: [`ci-${i % 977}`],
    impact,
    urgency,
    priority,
    state,
    assignmentGroup: group,
    assignee,
    assignmentSource: 'rule',
    assignments: [{ at: iso(created + 60_000), actor: 'system', group, assignee, source: 'rule', rule: 'default' }],
    reassignmentCount: 0,
    openedBy,
    watchers: [openedBy],
    approvers: [],
    resolutionCode: open ? null : 'fixed',
    resolutionNotes: open ? null : 'Fixed by restarting the service',
    createdAt: iso(created),
    updatedAt: iso(updated),
    resolvedAt: open ? null : iso(updated),
    closedAt: null,
    version,
    timeline,
    slas: [
      { policy: 'std-response', originalPolicy: 'std-response', name: 'Response', metric: 'response', calendar: '24x7', clock: clock(3_600_000), warned: [0.5], breached: false, breachedAt: null },
      { policy: 'std-resolution', originalPolicy: 'std-resolution', name: 'Resolution', metric: 'resolution', calendar: 'business', clock: clock(3 * 86_400_000), warned: [], breached: false, breachedAt: null },
    ],
    slaDueAt,
  };
  const summary: TicketSummary = {
    number,
    kind,
    title,
    state,
    priority,
    assignmentGroup: group,
    assignee,
    openedBy,
    createdAt: iso(created),
    updatedAt: iso(updated),
    slaDueAt,
    version,
    watchers: [openedBy],
    approvers: [],
  };
  return { full, summary, open };
}

/** The flat summary document strategies (b) and (c) store: the queue fields, `_id` = number. */
export function summaryDocument(s: TicketSummary) {
  const { number, watchers: _w, approvers: _a, ...fields } = s;
  return { _id: number, number, ...fields };
}

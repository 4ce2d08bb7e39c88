import type { Level, Priority } from '../priority';
import type { TicketSla } from '../sla/ticketSla';
import type { TicketKind } from '../ticketNumber';
import type { AutomationEvidence } from './automation';

export type { TicketKind };

/** One line of a ticket's history, shown in its timeline. */
export interface TimelineEntry {
  at: string;
  actor: string;
  kind:
    | 'created'
    | 'assigned'
    | 'state_changed'
    | 'comment'
    | 'work_note'
    | 'sla'
    | 'approval'
    | 'link'
    | 'task'
    | 'priority_changed'
    | 'automation';
  text: string;
  from?: string;
  to?: string;
  /** `automation` entries: the run's result, as evidence (domain/ticket/automation.ts). */
  run?: AutomationEvidence;
}

/** Who routed a ticket: an agent by hand, an assignment rule, or an SLA escalation action. */
export type AssignmentSource = 'manual' | 'rule' | 'sla';

/** One (re)assignment, kept so that reassignments can be counted and explained. */
export interface AssignmentRecord {
  at: string;
  actor: string;
  group: string | null;
  assignee: string | null;
  source: AssignmentSource;
  /** The assignment rule that chose it, when source = 'rule'. */
  rule?: string;
}

/** What every ticket kind has. Kind-specific state and fields live in each kind's module. */
export interface TicketCommon {
  number: string;
  kind: TicketKind;
  title: string;
  description: string;
  /** Free-text classification used by assignment rules and SLA policies (e.g. 'network'). */
  category: string | null;
  /** The business service affected (a CMDB reference once the CMDB lands; plain text until then). */
  service: string | null;
  /** Affected configuration items (CMDB references; plain names until the CMDB lands). */
  affectedCis: string[];
  impact: Level;
  urgency: Level;
  priority: Priority;
  /** Levels an SLA escalation raised the priority above the impact × urgency matrix. */
  priorityBoost: number;
  state: string;
  /** The assignment group whose members work it; null until routed. */
  assignmentGroup: string | null;
  assignee: string | null;
  /** How the current assignment was made; rules never overwrite a 'manual' one. */
  assignmentSource: AssignmentSource | null;
  assignments: AssignmentRecord[];
  /** Times the ticket moved to another group or person after its first assignment. */
  reassignmentCount: number;
  /** Who opened it: a requester always sees what they opened. */
  openedBy: string;
  /** Users who asked to be notified of every change. */
  watchers: string[];
  createdAt: string;
  updatedAt: string;
  /** Incremented by every applied action; guards projection writes and If-Match. */
  version: number;
  timeline: TimelineEntry[];
  /** The SLA clocks attached to the ticket (see domain/sla/ticketSla.ts). */
  slas: TicketSla[];
}

/** Why an action cannot be applied: the API turns this into a 409 with this text. */
export class TransitionRejected extends Error {
  override readonly name = 'TransitionRejected';
}

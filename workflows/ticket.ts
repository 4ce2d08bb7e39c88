import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createTicketActivities } from '../activities/tickets';
import { nextApprovalDueAt } from '../domain/approval';
import type { TicketEvent } from '../domain/notification/event';
import type { SlaCatalog } from '../domain/sla/policy';
import { nextSlaWakeUp, reachThresholds } from '../domain/sla/ticketSla';
import type { AutomationEvidence } from '../domain/ticket/automation';
import { eventsBetween } from '../domain/ticket/events';
import { DEFAULT_SETTINGS, type ServiceDeskSettings } from '../domain/ticket/settings';
import { escalate, withSlas } from '../domain/ticket/sla';
import { type AnyAction, applyTicketAction, isFinal, type SystemAction, type Ticket, type TicketAction, ticketRejection } from '../domain/ticket/ticket';
import { ticketWorkflowId } from '../domain/ticketNumber';
import { alertGroupWorkflowId, incidentAcknowledgedSignal } from './alertGroupSignals';
import { announce } from './announce';

const { persistTicket, ticketRules, routeTicket, auditTicketChange } = proxyActivities<ReturnType<typeof createTicketActivities>>({
  startToCloseTimeout: '30 seconds',
  // A store outage must not lose a transition: keep retrying, slower and slower.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface TicketCommand {
  action: TicketAction;
  actor: string;
  /** From the API's If-Match: reject when the ticket moved on since the caller read it. */
  expectedVersion?: number;
}

/** What the workflow needs from the catalog; read once per run, carried across continue-as-new. */
export interface TicketRules {
  settings: ServiceDeskSettings;
  sla: SlaCatalog;
}

/** Failure types the API maps to HTTP statuses. */
export const FAILURE = { rejected: 'TransitionRejected', stale: 'VersionMismatch' } as const;

export const actUpdate = defineUpdate<Ticket, [TicketCommand]>('ticket.act');
/** Sent with start: completes once the first projection is stored, so reads see the ticket. */
export const openedUpdate = defineUpdate<Ticket>('ticket.opened');
export const currentQuery = defineQuery<Ticket>('ticket.current');
/** From other tickets' workflows: a parent resolving its children, a child linking, a problem resolving its incidents. */
export const systemSignal = defineSignal<[{ action: SystemAction; actor: string }]>('ticket.system');
/** From a run's workflow when a run started for this ticket ends: its result, as evidence on the timeline (once per run). */
export const automationResultSignal = defineSignal<[AutomationEvidence]>('ticket.automationResult');

export interface TicketWorkflowInput {
  ticket: Ticket;
  rules?: TicketRules;
  /** Highest version already written to the store (carried over continue-as-new). */
  persistedVersion?: number;
}

const SYSTEM = 'system';
/** Who writes run results on the timeline. */
const AUTOMATION = 'automation';

export async function ticketWorkflow({ ticket: initial, rules: carried, persistedVersion = 0 }: TicketWorkflowInput): Promise<Ticket> {
  // Handlers are registered before the first await (an Update sent with start must find
  // them), so until the catalog rules arrive they wait for them.
  let rules: TicketRules | undefined = carried;
  const ready = () => condition(() => rules !== undefined);
  const now = () => new Date().toISOString();
  const ctx = (actor: string) => ({ actor, now: now(), settings: rules!.settings });
  let ticket = initial;
  let persisted = persistedVersion;

  // One write in flight at a time, in version order: the store's version guard then only
  // has to stop late retries, not races between two of our own writes.
  let writes: Promise<void> = Promise.resolve();
  const persist = (snapshot: Ticket): Promise<void> => {
    writes = writes.then(async () => {
      await persistTicket(snapshot);
      persisted = Math.max(persisted, snapshot.version);
    });
    return writes;
  };

  // Announcements start child workflows; the run waits for those starts before it ends.
  const announcing: Array<Promise<void>> = [];

  /**
   * Every change goes through here: SLAs follow, the store is written, others are told.
   * Changes the workflow makes by itself (rules, SLA escalations, cascades, timers) name
   * an `audit` action: the API audits what people do, the workflow what it does.
   */
  const commit = (before: Ticket | null, after: Ticket, actor: string, { events = [], audit }: { events?: TicketEvent[]; audit?: string } = {}): Promise<void> => {
    // At the instant of the change itself: a new ticket's clocks start when it was opened.
    ticket = withSlas(after, rules!.sla, after.updatedAt);
    const snapshot = ticket;
    let written = persist(snapshot);
    if (audit && before) written = writes = written.then(() => auditTicketChange({ before, after: snapshot, action: audit, actor }));
    for (const event of [...eventsBetween(before, snapshot, actor), ...events]) announcing.push(announceSafely(event));
    if (before) cascade(before, snapshot, actor);
    return written;
  };

  const apply = (action: AnyAction, actor: string, audit?: string): Promise<void> => {
    const before = ticket;
    return commit(before, applyTicketAction(before, action, ctx(actor)), actor, { audit });
  };
  /** A change the workflow makes by itself, audited under `<kind>.<action>`. */
  const applyOwn = (action: AnyAction, actor: string): Promise<void> => apply(action, actor, `${ticket.kind}.${action.type}`);

  setHandler(currentQuery, () => ticket);
  setHandler(openedUpdate, async () => {
    await condition(() => persisted >= initial.version);
    return ticket;
  });
  setHandler(
    actUpdate,
    async (command) => {
      await ready();
      validate(ticket, command, rules!.settings);
      // Apply synchronously (before any await) so concurrent updates see each other's result.
      const done = apply(command.action, command.actor);
      const snapshot = ticket;
      await done;
      return snapshot;
    },
    // Until the rules arrive, the default settings pre-check; the handler checks again with the real ones.
    { validator: (command) => validate(ticket, command, rules?.settings ?? DEFAULT_SETTINGS) },
  );
  setHandler(systemSignal, async ({ action, actor }) => {
    await ready();
    // Another ticket's view may be stale (a child already resolved by hand): skip what no longer applies.
    if (ticketRejection(ticket, action, ctx(actor)) === null) await applyOwn(action, actor);
  });
  setHandler(automationResultSignal, async (evidence) => {
    await ready();
    const action: SystemAction = { type: 'automation_result', evidence };
    // A report delivered twice (a retried activity) finds itself on the timeline and is dropped.
    if (ticketRejection(ticket, action, ctx(AUTOMATION)) === null) await applyOwn(action, AUTOMATION);
  });

  rules ??= await ticketRules();
  const loaded = rules;
  if (persisted === 0) {
    await commit(null, ticket, ticket.openedBy);
    const routing = await routeTicket(ticket);
    if (routing && ticketRejection(ticket, routing, ctx(SYSTEM)) === null) await applyOwn(routing, SYSTEM);
  }

  while (!isFinal(ticket) && !workflowInfo().continueAsNewSuggested) {
    const wakeAt = nextWakeUp(ticket, loaded, now());
    const version = ticket.version;
    const woken = () => ticket.version !== version || isFinal(ticket) || workflowInfo().continueAsNewSuggested;
    // A durable timer to the next deadline; an action that changes the ticket recomputes it.
    const changed = wakeAt === null ? (await condition(woken), true) : await condition(woken, Math.max(1, Date.parse(wakeAt) - Date.now()));
    if (!changed) await onTimer(ticket, loaded, now(), { apply: applyOwn, commit });
  }
  await condition(allHandlersFinished);
  await writes;
  await Promise.all(announcing);
  if (isFinal(ticket)) return ticket;
  return continueAsNew<typeof ticketWorkflow>({ ticket, rules: loaded, persistedVersion: persisted });
}

/** A notification that cannot even start must not fail the ticket: it is logged instead. */
function announceSafely(event: TicketEvent): Promise<void> {
  return announce(event).catch((error: unknown) => log.warn('could not start the notification workflow', { event: event.id, error: String(error) }));
}

/** The earliest instant something must happen without anyone acting: an SLA threshold, an approval due date, an auto-close. */
function nextWakeUp(ticket: Ticket, rules: TicketRules, now: string): string | null {
  const candidates = [nextSlaWakeUp(ticket.slas, rules.sla, now), autoCloseAt(ticket, rules.settings)];
  if (ticket.kind === 'request' && ticket.approval && ticket.state === 'pending_approval') candidates.push(nextApprovalDueAt(ticket.approval));
  const instants = candidates.filter((c): c is string => c !== null).sort();
  return instants[0] ?? null;
}

/** Resolved incidents and fulfilled requests close by themselves when the reopen window ends. */
function autoCloseAt(ticket: Ticket, settings: ServiceDeskSettings): string | null {
  const since = ticket.kind === 'incident' && ticket.state === 'resolved' ? ticket.resolvedAt : ticket.kind === 'request' && ticket.state === 'fulfilled' ? ticket.fulfilledAt : null;
  return since === null ? null : new Date(Date.parse(since) + settings.reopenWindowMs).toISOString();
}

async function onTimer(
  ticket: Ticket,
  rules: TicketRules,
  now: string,
  { apply, commit }: { apply: (action: AnyAction, actor: string) => Promise<void>; commit: (before: Ticket, after: Ticket, actor: string, options: { events: TicketEvent[]; audit: string }) => Promise<void> },
): Promise<void> {
  const { slas, reached } = reachThresholds(ticket.slas, rules.sla, now);
  if (reached.length > 0) {
    const escalated = escalate({ ...ticket, slas }, reached, { actor: SYSTEM, now, settings: rules.settings });
    await commit(ticket, escalated.ticket, SYSTEM, { events: escalated.events, audit: `${ticket.kind}.sla_escalation` });
    return;
  }
  const closeAt = autoCloseAt(ticket, rules.settings);
  if (closeAt !== null && closeAt <= now) return apply({ type: 'close' }, SYSTEM);
  if (ticket.kind === 'request' && ticket.approval) {
    const due = nextApprovalDueAt(ticket.approval);
    if (due !== null && due <= now) return apply({ type: 'approval_due' }, SYSTEM);
  }
}

/** Tells related tickets what this change means for them. */
function cascade(before: Ticket, after: Ticket, actor: string): void {
  const tell = (number: string, action: SystemAction) => {
    // The other ticket may have finished already; then there is nothing to tell it.
    getExternalWorkflowHandle(ticketWorkflowId(number)).signal(systemSignal, { action, actor }).catch(() => undefined);
  };
  if (after.kind === 'incident' && before.kind === 'incident') {
    if (before.parent !== after.parent) {
      if (before.parent) tell(before.parent, { type: 'child_linked', child: after.number, linked: false });
      if (after.parent) tell(after.parent, { type: 'child_linked', child: after.number, linked: true });
    }
    if (before.problem !== after.problem) {
      if (before.problem) tell(before.problem, { type: 'incident_linked', incident: after.number, linked: false });
      if (after.problem) tell(after.problem, { type: 'incident_linked', incident: after.number, linked: true });
    }
    if (after.alertGroup && before.state === 'new' && after.state === 'in_progress') {
      // Work started: the alert group that opened it acknowledges its alerts (gone once they all resolved).
      getExternalWorkflowHandle(alertGroupWorkflowId(after.alertGroup)).signal(incidentAcknowledgedSignal, { number: after.number, by: actor, at: after.updatedAt }).catch(() => undefined);
    }
    if (before.state !== 'resolved' && after.state === 'resolved') {
      for (const child of after.children) tell(child, { type: 'cascade_resolve', source: after.number, resolutionCode: after.resolutionCode!, resolutionNotes: after.resolutionNotes! });
    }
  }
  if (after.kind === 'problem' && before.state !== 'resolved' && after.state === 'resolved' && after.resolveIncidentsOnResolve) {
    for (const incident of after.linkedIncidents) tell(incident, { type: 'cascade_resolve', source: after.number, resolutionCode: after.resolutionCode!, resolutionNotes: after.resolutionNotes! });
  }
}

function validate(ticket: Ticket, { action, actor, expectedVersion }: TicketCommand, settings: ServiceDeskSettings): void {
  if (expectedVersion !== undefined && expectedVersion !== ticket.version) {
    throw ApplicationFailure.nonRetryable(`${ticket.number} is at version ${ticket.version}, not ${expectedVersion}: reload it and try again`, FAILURE.stale);
  }
  const rejection = ticketRejection(ticket, action, { actor, now: new Date().toISOString(), settings });
  if (rejection) throw ApplicationFailure.nonRetryable(rejection, FAILURE.rejected);
}

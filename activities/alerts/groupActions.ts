import { type Client, WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Connection } from 'mongoose';
import type { GroupAction } from '../../domain/alert/group';
import { openIncident } from '../../domain/ticket/incident';
import { formatTicketNumber, ticketWorkflowId } from '../../domain/ticketNumber';
import type { Catalog } from '../../runtime/catalog';
import { acknowledge } from '../../domain/alert/lifecycle';
import { changeAlert, findAlert, linkIncident } from '../../store/alerts/alerts';
import { ticketModel } from '../../store/tickets';
import { render, TemplateError } from '../automation/render';
import { nextSequence } from '../../store/counters';
import { claimKey } from '../../store/idempotency';
import { actUpdate, FAILURE, openedUpdate, type TicketCommand, ticketWorkflow } from '../../workflows/ticket';

/** Who the alert center acts as on tickets (timeline entries, the incident's caller). */
export const ALERT_CENTER = 'alert-center';

type OpenAction = Extract<GroupAction, { type: 'open_incident' }>;

/**
 * What an alert group does to tickets, as activities: each is safe to retry. Opening claims
 * its number under an idempotency key the workflow derives, so a retried activity finds the
 * incident it opened; the ticket's own workflow does the rest (routing, SLAs, notifications).
 */
export function createAlertGroupActivities(db: Connection, temporal: Client, catalog: Catalog) {
  /**
   * An Update waits for the ticket's workflow, which a worker shutting down no longer runs:
   * the activity stops waiting once it is cancelled (after the worker's grace time) and is retried later.
   */
  const cancellable = <T>(call: () => Promise<T>): Promise<T> => {
    const pending = call();
    pending.catch(() => undefined);
    return Promise.race([pending, Context.current().cancelled]);
  };

  async function numberFor(idempotencyKey: string): Promise<string> {
    const number = formatTicketNumber('incident', await nextSequence(db, 'incident'));
    const earlier = await claimKey(db, `alert-incident:${idempotencyKey}`, number, idempotencyKey);
    return earlier?.resource ?? number;
  }

  async function act(number: string, action: TicketCommand['action'], actor = ALERT_CENTER): Promise<'done' | 'gone' | 'refused'> {
    try {
      await cancellable(() => temporal.workflow.getHandle(ticketWorkflowId(number)).executeUpdate(actUpdate, { args: [{ action, actor }] }));
      return 'done';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'gone';
      // The ticket refused (closed meanwhile, reopen window passed): the group hears it from the outcome.
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === FAILURE.rejected) return 'refused';
      throw error;
    }
  }

  return {
    async openGroupIncident(input: { action: OpenAction; idempotencyKey: string; groupKey: string }): Promise<string> {
      const number = await numberFor(input.idempotencyKey);
      const { title, description, impact, urgency, assignmentGroup, affectedCis } = input.action;
      const first = openIncident({ title, description, impact, urgency, affectedCis, assignmentGroup, alertGroup: input.groupKey }, number, { actor: ALERT_CENTER, now: new Date().toISOString(), settings: catalog.settings });
      // The ticket's workflow runs on this worker's queue, as the group's does.
      const start = new WithStartWorkflowOperation(ticketWorkflow, { workflowId: ticketWorkflowId(number), taskQueue: Context.current().info.taskQueue, args: [{ ticket: first }], workflowIdConflictPolicy: 'USE_EXISTING' });
      await cancellable(() => temporal.workflow.executeUpdateWithStart(openedUpdate, { startWorkflowOperation: start }));
      await linkAlerts({ alerts: input.action.alerts, number, groupKey: input.groupKey });
      return number;
    },

    /** A work note on the incident; 'gone' when the incident's workflow has ended (closed). */
    async noteOnIncident(input: { number: string; text: string; escalate?: boolean }): Promise<'done' | 'gone' | 'refused'> {
      // Escalation raises the urgency to high (the priority follows); already high, nothing changes.
      if (input.escalate) await act(input.number, { type: 'update', changes: { urgency: 1 } });
      return act(input.number, { type: 'comment', text: input.text, workNote: true });
    },

    /**
     * A remediation's parameters: Handlebars templates over the first alert it is for
     * (`{{labels.service}}`, `{{annotations.summary}}`, `{{ci.name}}`, `{{context.zone}}`).
     * A template that names what the alert lacks fails the run's start, with the reason.
     */
    async renderRemediationParams(input: { templates: Record<string, string>; alertId: string }): Promise<Record<string, string>> {
      const alert = await findAlert(db, input.alertId);
      if (!alert) throw ApplicationFailure.nonRetryable(`alert ${input.alertId} is gone`, 'RemediationRefused');
      const context = { labels: alert.labels, annotations: alert.annotations, name: alert.name, severity: alert.severity, summary: alert.summary, resource: alert.resource, ci: alert.context?.ci ?? null, context: alert.context };
      try {
        return Object.fromEntries(Object.entries(input.templates).map(([name, template]) => [name, render(template, context, 'text')]));
      } catch (error) {
        if (error instanceof TemplateError) throw ApplicationFailure.nonRetryable(error.message, 'RemediationRefused');
        throw error;
      }
    },

    async reopenIncident(input: { number: string; reason: string }): Promise<'done' | 'gone' | 'refused'> {
      return act(input.number, { type: 'reopen', reason: input.reason });
    },

    /**
     * A person acknowledged one of the incident's alerts: a new incident becomes theirs
     * (assigned to them when nobody has it) and is started in their name; one already in
     * work only hears who took the alert. Retried, the start is refused and nothing repeats.
     */
    async acknowledgeIncident(input: { number: string; by: string; alert: string }): Promise<'done' | 'gone' | 'refused'> {
      const ticket = await ticketModel(db).findOne({ _id: input.number }, { state: 1, assignee: 1 }).lean();
      if (ticket?.state === 'new') {
        if (!ticket.assignee && (await act(input.number, { type: 'assign', assignee: input.by }, input.by)) === 'gone') return 'gone';
        const started = await act(input.number, { type: 'start' }, input.by);
        if (started !== 'done') return started;
        return act(input.number, { type: 'comment', text: `Acknowledged by ${input.by} through alert ${input.alert}.`, workNote: true });
      }
      return act(input.number, { type: 'comment', text: `${input.by} acknowledged alert ${input.alert}.`, workNote: true });
    },

    /** The incident was acknowledged: so are these of its alerts, by the same person (an alert resolved meanwhile is left as it is). */
    async acknowledgeAlerts(input: { alerts: string[]; by: string; number: string }): Promise<void> {
      for (const id of input.alerts) {
        await changeAlert(db, id, async (current, at) => {
          const outcome = acknowledge(current, input.by, at, `acknowledged with incident ${input.number}`);
          return outcome.ok ? outcome : { ok: true, episode: current, changed: false };
        });
      }
    },

    linkAlerts,
  };

  /** Records the incident of each alert (its group key is on the alert already): the three keys stay distinct and findable. */
  async function linkAlerts(input: { alerts: string[]; number: string | null; groupKey: string }): Promise<void> {
    if (input.number) await linkIncident(db, input.alerts, input.number, input.groupKey);
  }
}

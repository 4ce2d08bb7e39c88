import { condition, continueAsNew, defineQuery, defineSignal, getExternalWorkflowHandle, ParentClosePolicy, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { createAlertGroupActivities } from '../activities/alerts/groupActions';
import type { createAlertRunActivities } from '../activities/automation/alertRuns';
import { applyUpdate, decide, finished, type GroupAction, type GroupAlertUpdate, type GroupRun, type GroupState, incidentAcknowledged, incidentClosed, newGroup, recordAction, runEnded } from '../domain/alert/group';
import { rootMessage } from '../domain/failure';
import { parseDuration } from '../domain/sla/policy';
import type { AlertRule } from '../domain/alert/rules';
import { ticketWorkflowId } from '../domain/ticketNumber';
import { incidentAcknowledgedSignal } from './alertGroupSignals';
import { runWorkflow } from './run';
import { systemSignal } from './ticket';

const RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const { openGroupIncident, noteOnIncident, reopenIncident, linkAlerts, renderRemediationParams, acknowledgeIncident, acknowledgeAlerts } = proxyActivities<ReturnType<typeof createAlertGroupActivities>>({ startToCloseTimeout: '1 minute', retry: RETRY });
// A refusal (role not allowed, targets outside the runbook's selector) is final; a store outage is waited out.
const { createAlertRun } = proxyActivities<ReturnType<typeof createAlertRunActivities>>({ startToCloseTimeout: '1 minute', retry: { ...RETRY, nonRetryableErrorTypes: ['AlertRunRefused', 'RemediationRefused'] } });

/** From intake: one of the group's alerts changed (opened, resolved, acknowledged, suppressed…). */
export const alertUpdateSignal = defineSignal<[GroupAlertUpdate]>('alertGroup.update');
export const groupStateQuery = defineQuery<GroupState>('alertGroup.state');

export interface AlertGroupInput {
  key: string;
  rule: AlertRule;
  /** Carried over continue-as-new. */
  state?: GroupState;
}

export { alertGroupWorkflowId } from './alertGroupSignals';

/**
 * What a group's run is known by (its trigger ref, and with the runbook its idempotency key):
 * the group key, when this group began, and the attempt, since a later group with the same
 * key must not find an earlier group's run.
 */
export const runRef = (state: Pick<GroupState, 'key' | 'startedAt'>, attempt: number) => `${state.key}/${state.startedAt}/${attempt}`;

/** Who the alert center acts as on tickets. */
const ALERT_CENTER = 'alert-center';

/**
 * One alert group (`alert-group/<key>`), started by intake with signal-with-start when an
 * alert changes, never for a mere duplicate. It applies the updates, asks the pure group
 * (domain/alert/group.ts) what to do, does it, and sleeps until the next update or the time
 * the group asked to look again. It ends once every alert resolved, the incident is no
 * longer open and the group window has passed: a later alert with the same key starts a new group.
 */
export async function alertGroupWorkflow(input: AlertGroupInput): Promise<GroupState> {
  const { key, rule } = input;
  let state = input.state ?? newGroup(key, rule, new Date().toISOString());
  const pending: GroupAlertUpdate[] = [];
  /** Acknowledgements of the incident that arrived since the last look. */
  const acknowledgements: Array<{ number: string; by: string; at: string }> = [];
  /** Self-healing runs that ended since the last look. */
  const ended: Array<{ attempt: number; status: GroupRun['status']; summary: string }> = [];
  setHandler(alertUpdateSignal, (update) => void pending.push(update));
  setHandler(incidentAcknowledgedSignal, (ack) => void acknowledgements.push(ack));
  setHandler(groupStateQuery, () => state);

  for (;;) {
    for (const update of pending.splice(0)) state = applyUpdate(state, update).state;
    for (const ack of acknowledgements.splice(0)) if (ack.number === state.incident?.number) state = incidentAcknowledged(state, ack.by, ack.at);
    const now = new Date().toISOString();
    for (const run of ended.splice(0)) state = runEnded(state, run.attempt, run, now);
    const { actions, wakeAt } = decide(state, rule, now);
    for (const action of actions) {
      const done = await carryOut(state, action);
      // The incident's workflow has ended (closed) or refused: it takes no more alerts.
      state = done.ok ? recordAction(state, action, now, done.number) : incidentClosed(state);
      if (done.refused && action.type === 'start_remediation') state = runEnded(state, action.attempt, { status: 'refused', summary: done.refused }, now);
    }
    if (actions.length) continue;
    if (finished(state, rule, now)) return state;
    // Not while a run is in flight: its result would have nowhere to arrive.
    if (workflowInfo().continueAsNewSuggested && !state.runs.some((r) => r.status === 'running')) await continueAsNew<typeof alertGroupWorkflow>({ key, rule, state });
    const windowEnds = Date.parse(state.lastActivityAt) + parseDuration(rule.groupWindow);
    const next = Math.min(wakeAt ? Date.parse(wakeAt) : Infinity, windowEnds);
    await condition(() => pending.length > 0 || ended.length > 0 || acknowledgements.length > 0, Math.max(1, next - Date.now()));
  }

  /** Starts the run (its record, then `run/<id>` as a child) and listens for its end. */
  async function remediate(action: Extract<GroupAction, { type: 'start_remediation' }>): Promise<{ ok: boolean; number?: string; refused?: string }> {
    let runId: string;
    let workflowId: string;
    try {
      const params = await renderRemediationParams({ templates: action.params, alertId: action.alerts[0]! });
      ({ runId, workflowId } = await createAlertRun({ runbook: action.runbook, params, targets: action.targets, alertGroup: runRef(state, action.attempt), requestedBy: ALERT_CENTER }));
    } catch (error) {
      return { ok: true, refused: rootMessage(error) };
    }
    const child = await startChild(runWorkflow, { workflowId, args: [{ runId }], parentClosePolicy: ParentClosePolicy.ABANDON });
    child.result().then(
      (outcome) => void ended.push({ attempt: action.attempt, status: outcome.status === 'succeeded' ? 'succeeded' : 'failed', summary: outcome.summary }),
      (error) => void ended.push({ attempt: action.attempt, status: 'failed', summary: rootMessage(error) }),
    );
    return { ok: true, number: runId };
  }

  /** Does one action: ok with the number when it opened an incident (or run), not ok when the incident no longer takes it. */
  async function carryOut(current: GroupState, action: GroupAction): Promise<{ ok: boolean; number?: string; refused?: string }> {
    switch (action.type) {
      case 'open_incident': {
        // One key per incident the group opens: a retried activity finds the one it opened.
        const idempotencyKey = `${key}/${current.startedAt}/${action.alerts[0]}`;
        return { ok: true, number: await openGroupIncident({ action, groupKey: key, idempotencyKey }) };
      }
      case 'attach_alerts':
        await linkAlerts({ alerts: action.alerts, number: action.number, groupKey: key });
        return { ok: (await noteOnIncident({ number: action.number, text: action.note })) === 'done' };
      case 'reopen_incident':
        return { ok: (await reopenIncident({ number: action.number, reason: action.reason })) === 'done' };
      case 'start_remediation':
        return remediate(action);
      case 'report_remediation':
        return { ok: (await noteOnIncident({ number: action.number, text: action.note, escalate: action.escalate })) === 'done' };
      case 'note':
        return { ok: (await noteOnIncident({ number: action.number, text: action.note })) === 'done' };
      case 'acknowledge_incident':
        return { ok: (await acknowledgeIncident({ number: action.number, by: action.by, alert: action.alert })) !== 'gone' };
      case 'acknowledge_alerts':
        await acknowledgeAlerts({ alerts: action.alerts, by: action.by, number: action.number });
        return { ok: true };
      case 'resolve_incident':
        try {
          await getExternalWorkflowHandle(ticketWorkflowId(action.number)).signal(systemSignal, {
            action: { type: 'cascade_resolve', source: `alert group ${key}`, resolutionCode: 'resolved_by_monitoring', resolutionNotes: action.note },
            actor: ALERT_CENTER,
          });
          return { ok: true };
        } catch {
          return { ok: false };
        }
    }
  }
}


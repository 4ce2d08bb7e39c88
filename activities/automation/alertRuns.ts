import { ApplicationFailure, Context } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Connection } from 'mongoose';
import { runWorkflowId } from '../../domain/automation/run';
import type { RunPolicy } from '../../domain/automation/runPolicy';
import type { MasterKeySource } from '../../runtime/masterKey';
import { appendAudit } from '../../store/audit';
import { createRun, RunRequestError } from '../../store/automation/newRun';
import { claimedRun } from '../../store/automation/runClaims';

/**
 * Runs the alert center starts (self-healing): the contract of docs/automation-triggers.md#from-alerts.
 * An alert group's workflow calls the core activity `startAlertRun` (or code on a worker
 * calls `startRunForAlert`); the run is made as `requestedBy` with the alert automation
 * role (FLOWDESK_ALERT_AUTOMATION_ROLE), limited to the alert's CIs inside the runbook's
 * selector, and `run/<id>` is started. Once per (alertGroup, runbook): calling again,
 * a retried activity included, answers the same run and starts nothing new.
 */
export interface AlertRunRequest {
  runbook: string;
  /** Default: the latest published version. */
  version?: number;
  params?: Record<string, unknown>;
  /** The alert's CIs; each must be one the runbook's selector selects. */
  targets: string[];
  /** The alert group (one incident's worth of alerts); with the runbook, the idempotency key. */
  alertGroup: string;
  /** Who the run is recorded as requested by; default 'alert-center'. */
  requestedBy?: string;
  /** Credential id for hosts whose CI names none. */
  credential?: string;
}

export interface AlertRun {
  runId: string;
  /** `run/<id>`. */
  workflowId: string;
  /** False when an earlier call made it. */
  created: boolean;
}

export interface AlertRunDeps {
  db: Connection;
  masterKey: MasterKeySource;
  temporal: Client;
  /** The core task queue the run workflow runs on. */
  taskQueue: string;
  /** The role alert runs are requested with (FLOWDESK_ALERT_AUTOMATION_ROLE); the runbook's allowedRoles must name it. */
  role: string;
  /** Risk levels and target scopes per role (catalog/automation/run-policy.yaml). */
  policy: RunPolicy;
}

/** Failure type of a request refused for good (unknown runbook, role not allowed, bad parameters, targets outside the selector). */
export const ALERT_RUN_REFUSED = 'AlertRunRefused';
export const ALERT_REQUESTER = 'alert-center';
/** FLOWDESK_ALERT_AUTOMATION_ROLE's default. */
export const DEFAULT_ALERT_ROLE = 'automation_operator';
const MAX_GROUP = 200;

/** Makes (once) and starts the run for an alert group; throws RunRequestError when the request cannot be a run. */
export async function startRunForAlert(deps: AlertRunDeps, request: AlertRunRequest): Promise<AlertRun> {
  const { run, created } = await alertRunRecord(deps, request);
  try {
    await deps.temporal.workflow.start('runWorkflow', { workflowId: runWorkflowId(run._id), taskQueue: deps.taskQueue, args: [{ runId: run._id }] });
  } catch (error) {
    // Started by an earlier call (or still running, or done): one run either way.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return { runId: run._id, workflowId: runWorkflowId(run._id), created };
}

/**
 * The run record for an alert group, made once; for an alert-group workflow that starts
 * `run/<id>` itself as a child (`createAlertRun`, then `executeChild(runWorkflow, …)`).
 */
export async function alertRunRecord({ db, masterKey, role, policy }: Omit<AlertRunDeps, 'temporal' | 'taskQueue'>, request: AlertRunRequest) {
  const group = request.alertGroup?.trim();
  if (!group || group.length > MAX_GROUP) throw new RunRequestError('invalid', `an alert run names its alert group (1-${MAX_GROUP} characters)`, [{ field: 'alertGroup', message: 'required' }]);
  if (!Array.isArray(request.targets) || request.targets.length === 0) throw new RunRequestError('invalid', "an alert run names the alert's CIs as its targets", [{ field: 'targets', message: 'at least one CI id' }]);
  const requestedBy = request.requestedBy ?? ALERT_REQUESTER;
  const key = await masterKey();
  const made = await claimedRun(db, `alert/${group}/${request.runbook}`, (runId) =>
    createRun(db, key, { runbook: request.runbook, version: request.version, params: request.params, targets: request.targets, credential: request.credential, requestedBy, roles: [role], trigger: { type: 'alert', ref: group }, policy }, runId),
  );
  if (made.created) {
    await appendAudit(db, { actor: { type: 'system', id: requestedBy }, action: 'automation.run.start', target: { type: 'run', id: made.run._id }, outcome: 'success', detail: `${made.run.runbook.id} v${made.run.runbook.version} for alert group ${group} (role ${role})` });
  }
  return made;
}

/** The core activities of alert runs; refusals fail them for good (ALERT_RUN_REFUSED), store and Temporal outages are retried. */
export function createAlertRunActivities(deps: Omit<AlertRunDeps, 'taskQueue'>) {
  const refused = (error: unknown) => {
    if (!(error instanceof RunRequestError)) return error;
    const fields = error.errors.map((e) => `${e.field.replace(/^body\./, '')}: ${e.message}`).join('; ');
    return ApplicationFailure.nonRetryable(`${error.message}${fields ? ` (${fields})` : ''}`, ALERT_RUN_REFUSED, { kind: error.kind, errors: error.errors });
  };
  return {
    /** Makes the run and starts `run/<id>` on this worker's task queue. */
    async startAlertRun(request: AlertRunRequest): Promise<AlertRun> {
      try {
        return await startRunForAlert({ ...deps, taskQueue: Context.current().info.taskQueue }, request);
      } catch (error) {
        throw refused(error);
      }
    },
    /** Makes the run only; the caller starts `run/<runId>` as its child. */
    async createAlertRun(request: AlertRunRequest): Promise<AlertRun> {
      try {
        const { run, created } = await alertRunRecord(deps, request);
        return { runId: run._id, workflowId: runWorkflowId(run._id), created };
      } catch (error) {
        throw refused(error);
      }
    },
  };
}

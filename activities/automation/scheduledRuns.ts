import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Connection } from 'mongoose';
import { permissionsOf } from '../../domain/identity/permissions';
import type { RunPolicy } from '../../domain/automation/runPolicy';
import type { MasterKeySource } from '../../runtime/masterKey';
import { appendAudit } from '../../store/audit';
import { createRun, RunRequestError } from '../../store/automation/newRun';
import { claimedRun } from '../../store/automation/runClaims';
import { findSchedule, openScheduleSecrets } from '../../store/automation/schedules';
import { roleDefinitions } from '../../store/roles';
import { userModel } from '../../store/users';

/** Why a schedule could not make its run; the scheduled workflow fails with it, for good. */
export const SCHEDULED_RUN_REFUSED = 'ScheduledRunRefused';

/**
 * What a schedule does when it fires (through `scheduledRunWorkflow`): makes the run as
 * its owner, with the roles the owner holds now, so a schedule of someone who lost the
 * role (or the account) stops making runs. A retried activity finds the run it made
 * (one run per firing, claimed under the firing workflow's id).
 */
export function createScheduledRunActivities(db: Connection, masterKey: MasterKeySource, policy: RunPolicy) {
  return {
    async createScheduledRun(scheduleId: string, firedAt: string): Promise<{ runId: string }> {
      const refuse = (why: string) => ApplicationFailure.nonRetryable(`schedule ${scheduleId} fired at ${firedAt} but made no run: ${why}`, SCHEDULED_RUN_REFUSED);
      const schedule = await findSchedule(db, scheduleId);
      if (!schedule) throw refuse('the schedule no longer exists');
      const owner = await userModel(db).findById(schedule.owner).lean().exec();
      if (!owner?.active) throw refuse(`its owner ${schedule.owner} ${owner ? 'is disabled' : 'no longer exists'}`);
      if (!permissionsOf(owner.roles, await roleDefinitions(db)).has('automation.run')) {
        throw refuse(`its owner ${schedule.owner} no longer holds a role with automation.run (roles: ${owner.roles.join(', ') || 'none'})`);
      }
      const key = await masterKey();
      const params = { ...schedule.params, ...(schedule.sealedParams && openScheduleSecrets(key, scheduleId, schedule.sealedParams)) };
      // One run per firing: the firing's workflow id is the key (a retried activity has the same).
      const firing = Context.current().info.workflowExecution?.workflowId ?? `${scheduleId}@${firedAt}`;
      try {
        const { run, created } = await claimedRun(db, `schedule/${firing}`, (runId) =>
          createRun(
            db,
            key,
            {
              runbook: schedule.runbook,
              version: schedule.version,
              params,
              targets: schedule.targets,
              credential: schedule.credential,
              requestedBy: schedule.owner,
              roles: owner.roles,
              trigger: { type: 'schedule', ref: scheduleId },
              policy,
            },
            runId,
          ),
        );
        if (created) {
          await appendAudit(db, {
            actor: { type: 'workflow', id: firing, name: schedule.owner },
            action: 'automation.run.start',
            target: { type: 'run', id: run._id },
            outcome: 'success',
            detail: `${run.runbook.id} v${run.runbook.version} by schedule ${scheduleId}`,
          });
        }
        return { runId: run._id };
      } catch (error) {
        if (!(error instanceof RunRequestError)) throw error;
        await appendAudit(db, { actor: { type: 'workflow', id: firing, name: schedule.owner }, action: 'automation.run.start', target: { type: 'runbook', id: schedule.runbook }, outcome: 'denied', detail: `schedule ${scheduleId}: ${error.message}` });
        throw refuse(`${error.message}${error.errors.length ? ` (${error.errors.map((e) => `${e.field.replace(/^body\./, '')}: ${e.message}`).join('; ')})` : ''}`);
      }
    },
  };
}

import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { GroupAlertUpdate } from '../domain/alert/group';
import type { AlertRecord } from '../domain/alert/intake';
import type { AlertRule } from '../domain/alert/rules';
import { findAlert } from '../store/alerts/alerts';
import { markSignalled, unsignalledRequests } from '../store/alerts/requests';
import { alertGroupWorkflow, alertGroupWorkflowId, alertUpdateSignal } from '../workflows/alertGroup';

/** What intake logs through: a pino logger, or a worker's (activities/collection/polling.ts). */
export interface WarningLog {
  warn(details: object, message: string): void;
}

export interface GroupNotifierDeps {
  db: Connection;
  temporal: Client;
  taskQueue: string;
  rules: readonly AlertRule[];
  logger: WarningLog;
}

/** How long a request whose groups could not be told waits before the next attempt. */
const RETRY_MS = 10_000;
/** Requests read at a time when resuming at start. */
const RESUME_BATCH = 100;

/**
 * Tells alert groups about the alerts a request changed (as intake wrote them), by signal-with-start of
 * `alert-group/<key>`. Only changes are sent — a duplicate never starts or signals a
 * workflow — and the request is marked `signalled` once every group heard. When Temporal is
 * unreachable the request stays `applied` and this process retries it every 10 s (intake has
 * already answered: the alerts are stored either way).
 */
export function groupNotifier({ db, temporal, taskQueue, rules, logger }: GroupNotifierDeps) {
  const retrying = new Set<string>();
  const tell = groupTeller({ temporal, taskQueue, rules });

  async function notify(requestId: string, changed: readonly AlertRecord[]): Promise<void> {
    await tell(changed);
    await markSignalled(db, requestId);
  }

  /**
   * At start: tells the groups of requests a stopped process stored but did not finish
   * telling (each alert as it is now; hearing a state twice changes nothing in a group).
   */
  async function resumeUnsignalled(): Promise<number> {
    let resumed = 0;
    for (let batch = await unsignalledRequests(db, RESUME_BATCH); batch.length; batch = await unsignalledRequests(db, RESUME_BATCH)) {
      for (const request of batch) {
        const ids = [...new Set(request.outcomes.filter((o) => o.changed && o.alertId).map((o) => o.alertId!))];
        const alerts = (await Promise.all(ids.map((id) => findAlert(db, id)))).filter((a) => a !== null);
        await notify(request._id, alerts);
        resumed += 1;
      }
    }
    return resumed;
  }

  return { notifyGroups, resumeUnsignalled };

  async function notifyGroups(requestId: string, changed: readonly AlertRecord[]): Promise<void> {
    try {
      await notify(requestId, changed);
    } catch (error) {
      logger.warn({ err: error, request: requestId }, 'alert groups could not be told of an intake request; retrying');
      if (retrying.has(requestId)) return;
      retrying.add(requestId);
      const retry = () =>
        setTimeout(() => {
          notify(requestId, changed).then(
            () => retrying.delete(requestId),
            () => retry(),
          );
        }, RETRY_MS).unref();
      retry();
    }
  }
}

/** Signals (with start) the group of each alert given, with the alert as it is now. */
export function groupTeller({ temporal, taskQueue, rules }: Pick<GroupNotifierDeps, 'temporal' | 'taskQueue' | 'rules'>) {
  return async function tell(changed: readonly AlertRecord[]): Promise<void> {
    for (const record of changed) {
      // Intake stored the key the rules gave (`<rule id>/<digest>`); no key, no group.
      const key = record.groupKey;
      const rule = key && rules.find((r) => r.id === key.slice(0, key.indexOf('/')));
      if (!key || !rule) continue;
      await temporal.workflow.signalWithStart(alertGroupWorkflow, {
        workflowId: alertGroupWorkflowId(key),
        taskQueue,
        args: [{ key, rule }],
        signal: alertUpdateSignal,
        signalArgs: [updateOf(record)],
      });
    }
  };
}

function updateOf(record: AlertRecord): GroupAlertUpdate {
  const context = record.context;
  return {
    id: record.id,
    state: record.state,
    severity: record.severity,
    name: record.name,
    summary: record.summary,
    ciId: record.ciId,
    ciName: context?.ci.name ?? null,
    criticality: context?.criticality ?? null,
    ownerGroup: context?.ownerGroup ?? null,
    flapping: record.flap.since !== null,
    acknowledgedBy: record.state === 'acknowledged' ? (record.acknowledged?.by ?? null) : null,
    rootCi: record.topology?.rootCi ?? null,
    startsAt: record.startsAt,
    at: record.lastSeen,
  };
}

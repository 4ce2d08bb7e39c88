import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { GroupAlertUpdate } from '../domain/alert/group';
import type { AlertRecord } from '../domain/alert/intake';
import type { AlertRule } from '../domain/alert/rules';
import type { Logger } from '../runtime/log';
import { markSignalled } from '../store/alerts/requests';
import { alertGroupWorkflow, alertGroupWorkflowId, alertUpdateSignal } from '../workflows/alertGroup';

export interface GroupNotifierDeps {
  db: Connection;
  temporal: Client;
  taskQueue: string;
  rules: readonly AlertRule[];
  logger: Logger;
}

/** How long a request whose groups could not be told waits before the next attempt. */
const RETRY_MS = 10_000;

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

  return async function notifyGroups(requestId: string, changed: readonly AlertRecord[]): Promise<void> {
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
  };
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

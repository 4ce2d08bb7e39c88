import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { GroupAlertUpdate } from '../domain/alert/group';
import type { AlertRecord } from '../domain/alert/intake';
import { type AlertRule, groupKey, ruleFor } from '../domain/alert/rules';
import { markSignalled } from '../store/alerts/requests';
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

/**
 * Tells alert groups about the alerts a request changed (as intake wrote them), by signal-with-start of
 * `alert-group/<key>`. Only changes are sent — a duplicate never starts or signals a
 * workflow — and the request is marked `signalled` once every group heard. When Temporal is
 * unreachable the request stays `applied` and this process retries it every 10 s (intake has
 * already answered: the alerts are stored either way).
 */
export function groupNotifier({ db, temporal, taskQueue, rules, logger }: GroupNotifierDeps) {
  const retrying = new Set<string>();

  async function notify(requestId: string, changed: readonly AlertRecord[]): Promise<void> {
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

/** The group key the rules give an alert; null when no rule takes it. */
export function groupKeyFor(rules: readonly AlertRule[]): (record: AlertRecord) => string | null {
  return (record) => {
    const rule = ruleFor(ruleAlert(record), rules);
    return rule ? groupKey(rule, ruleAlert(record)) : null;
  };
}

const ruleAlert = (record: AlertRecord) => ({ labels: record.labels, severity: record.severity, source: record.source, ciId: record.ciId, application: record.context?.applications[0]?.id ?? null });

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
    startsAt: record.startsAt,
    at: record.lastSeen,
  };
}

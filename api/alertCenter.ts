import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { Catalog } from '../runtime/catalog';
import { cmdbEnrichment, type CmdbSource } from '../store/alerts/enrichment';
import { ruleGrouping } from '../store/alerts/grouping';
import { ensureAlertStore } from '../store/alerts/indexes';
import type { IntakeSources } from '../store/alerts/intake';
import { resuppressOpenAlerts, storedSuppression } from '../store/alerts/suppression';
import type { AlertRecord } from '../domain/alert/intake';
import { groupNotifier, groupTeller, type WarningLog } from './alertGroups';
import { type SuppressionClock, startSuppressionClock } from './suppressionClock';

export interface AlertCenterDeps {
  db: Connection;
  temporal: Client;
  taskQueue: string;
  logger: WarningLog;
  catalog: Catalog;
  cmdb: CmdbSource;
}

/** What every intake path shares (the HTTP endpoints and the SNMP trap receiver). */
export interface AlertIntake {
  sources: IntakeSources;
  /** Resolves once the alert collections' indexes exist. */
  alertsReady: Promise<void>;
  notifyGroups: ReturnType<typeof groupNotifier>['notifyGroups'];
  /** Finishes telling the groups of requests a stopped process stored but did not finish telling; how many. */
  resumeGroupSignals: () => Promise<number>;
  /**
   * Tells the groups of alerts a person changed (the console's acknowledgements, silences). The
   * change is stored either way; a group that cannot be told now hears the alert's next change.
   */
  tellGroups: (changed: readonly AlertRecord[]) => Promise<void>;
  /** Silences or maintenance windows changed at `at`: re-read the open alerts' suppression, tell their groups, replan the clock. */
  suppressionChanged: (at: string) => Promise<void>;
  /** Starts applying silences and windows as they start and end by time (one clock per API process). */
  startSuppressionClock: () => SuppressionClock;
}

export function alertIntake(deps: AlertCenterDeps): AlertIntake {
  const suppressionAt = storedSuppression(deps.db, deps.cmdb);
  const tell = groupTeller({ temporal: deps.temporal, taskQueue: deps.taskQueue, rules: deps.catalog.alertRules });
  const tellGroups = (changed: readonly AlertRecord[]) =>
    tell(changed).catch((error: unknown) => deps.logger.warn({ err: error, alerts: changed.map((a) => a.id) }, 'alert groups could not be told of a change made in the console'));
  const reapply = async (at: string) => tellGroups((await resuppressOpenAlerts(deps.db, at, deps.cmdb)).changed);
  const notifier = groupNotifier({ db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, rules: deps.catalog.alertRules, logger: deps.logger });
  let clock: SuppressionClock | undefined;
  return {
    sources: { suppressionAt, enrichment: cmdbEnrichment(deps.cmdb, deps.catalog.enrichment), grouping: ruleGrouping(deps.db, deps.catalog.alertRules, deps.cmdb) },
    alertsReady: ensureAlertStore(deps.db).catch((error: unknown) => deps.logger.warn({ err: error }, 'alert indexes could not be made; intake works without them, slower')),
    notifyGroups: notifier.notifyGroups,
    resumeGroupSignals: notifier.resumeUnsignalled,
    tellGroups,
    async suppressionChanged(at) {
      await reapply(at);
      clock?.replan();
    },
    startSuppressionClock: () => (clock ??= startSuppressionClock({ db: deps.db, reapply, logger: deps.logger })),
  };
}

import type { Client } from '@temporalio/client';
import type { Connection } from 'mongoose';
import type { Catalog } from '../runtime/catalog';
import { cmdbEnrichment, type CmdbSource } from '../store/alerts/enrichment';
import { ensureAlertStore } from '../store/alerts/indexes';
import type { IntakeSources } from '../store/alerts/intake';
import { storedSuppression } from '../store/alerts/suppression';
import { groupKeyFor, groupNotifier, type WarningLog } from './alertGroups';

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
  notifyGroups: ReturnType<typeof groupNotifier>;
}

export function alertIntake(deps: AlertCenterDeps): AlertIntake {
  const suppressionAt = storedSuppression(deps.db, deps.cmdb);
  return {
    sources: { suppressionAt, enrichment: cmdbEnrichment(deps.cmdb, deps.catalog.enrichment), groupKeyOf: groupKeyFor(deps.catalog.alertRules) },
    alertsReady: ensureAlertStore(deps.db).catch((error: unknown) => deps.logger.warn({ err: error }, 'alert indexes could not be made; intake works without them, slower')),
    notifyGroups: groupNotifier({ db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, rules: deps.catalog.alertRules, logger: deps.logger }),
  };
}

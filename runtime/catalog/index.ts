import path from 'node:path';
import type { AssignmentRule } from '../../domain/assignment';
import type { CatalogItem } from '../../domain/catalogItem';
import type { HighRiskRuleSet } from '../../domain/automation/highRisk';
import type { RunPolicy } from '../../domain/automation/runPolicy';
import type { EnrichmentRules } from '../../domain/alert/enrichment';
import type { AlertRule } from '../../domain/alert/rules';
import type { TrapRules } from '../../domain/alert/sources/snmpTrap';
import type { CmdbModel } from '../../domain/cmdb/model';
import type { PollingCatalog } from '../../domain/collection/pollingJob';
import type { ThresholdRule } from '../../domain/collection/thresholdRules';
import type { SlaCatalog } from '../../domain/sla/policy';
import type { ServiceDeskSettings } from '../../domain/ticket/settings';
import { projectRoot } from '../paths';
import { loadAssignmentRules } from './assignment';
import { loadCmdbModel } from './cmdb';
import { loadPollingJobs, loadThresholdRules } from './collection';
import { loadHighRiskRules } from './highRiskRules';
import { loadCatalogItems } from './items';
import { loadRunPolicy } from './runPolicy';
import { loadAlertRules, loadEnrichmentRules, loadTrapRules } from './alertRules';
import { loadShippedLibrary, type ShippedLibrary } from './runbooks';
import { loadServiceDeskSettings } from './serviceDesk';
import { loadSlaCatalog } from './sla';
import { loadWebhooks, type Webhook } from './webhooks';

/** Everything under catalog/, loaded and validated once at start. */
export interface Catalog {
  settings: ServiceDeskSettings;
  sla: SlaCatalog;
  assignment: AssignmentRule[];
  items: CatalogItem[];
  webhooks: Webhook[];
  /** The CMDB starter model: seeds a store that has no model yet. */
  cmdb: CmdbModel;
  /** Runbooks and scripts shipped as files; published into the library when they change. */
  library: ShippedLibrary;
  /** The shipped high-risk command rules (automation/high-risk-rules.yaml), in force until an admin changes them. */
  highRisk: HighRiskRuleSet;
  /** Risk levels and target scopes per role (automation/run-policy.yaml). */
  runPolicy: RunPolicy;
  /** How alerts find their CI (rules/enrichment.yaml). */
  enrichment: EnrichmentRules;
  /** Correlation, escalation and the closed loop (rules/alert-rules.yaml). */
  alertRules: AlertRule[];
  /** What each SNMP trap OID means (rules/snmp-traps.yaml). */
  trapRules: TrapRules;
  /** SNMP polling jobs and how long samples are kept (collection/polling-jobs.yaml). */
  polling: PollingCatalog;
  /** Limits on polled metrics that become alerts (rules/thresholds.yaml). */
  thresholds: ThresholdRule[];
}

export const DEFAULT_CATALOG_DIR = path.join(projectRoot(), 'catalog');

/**
 * Loads the catalog; a mistake in any file throws, naming the file and the field.
 * `warn` hears what is loaded but switched off (a webhook whose URL variable is unset).
 */
export function loadCatalog(dir = DEFAULT_CATALOG_DIR, { warn = () => undefined }: { warn?: (message: string) => void } = {}): Catalog {
  const cmdb = loadCmdbModel(dir);
  return {
    settings: loadServiceDeskSettings(dir),
    sla: loadSlaCatalog(dir),
    assignment: loadAssignmentRules(dir),
    items: loadCatalogItems(dir),
    webhooks: loadWebhooks(dir, { warn }),
    cmdb: cmdb.definition,
    library: loadShippedLibrary(dir),
    highRisk: loadHighRiskRules(dir),
    runPolicy: loadRunPolicy(dir),
    enrichment: loadEnrichmentRules(dir),
    alertRules: loadAlertRules(dir),
    trapRules: loadTrapRules(dir),
    // CMDB selectors are checked against the shipped model; the runs check them again against the store's.
    polling: loadPollingJobs(dir, cmdb.model),
    thresholds: loadThresholdRules(dir, cmdb.model),
  };
}

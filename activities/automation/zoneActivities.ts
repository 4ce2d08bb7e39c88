import os from 'node:os';
import type { Connection } from 'mongoose';
import type { HighRiskRuleSet } from '../../domain/automation/highRisk';
import { DEFAULT_CATALOG_DIR } from '../../runtime/catalog';
import { loadHighRiskRules } from '../../runtime/catalog/highRiskRules';
import type { MasterKeySource } from '../../runtime/masterKey';
import { cachedRules } from '../../store/automation/highRiskRules';
import { createPollingZoneActivities } from '../collection/pollDevice';
import { type CloudStepSettings, createCloudStepActivities } from './cloudSteps';
import { createAutomationHostActivities, type ZoneWorkerSettings } from './hostSteps';
import { createHttpStepActivities } from './httpSteps';
import { createSnmpStepActivities } from './snmpSteps';
import type { SshPool } from './sshPool';
import { stepDeps } from './stepRecord';
import { createUploadStepActivities } from './uploadSteps';

export interface ZoneActivitySettings extends ZoneWorkerSettings {
  /** Polling and request limits of the cloud steps. */
  cloud?: CloudStepSettings;
  /** The shipped high-risk rules, in force until an admin changes them; default: catalog/automation/high-risk-rules.yaml. */
  highRiskRules?: HighRiskRuleSet;
}

/**
 * Every activity of a zone worker, one per family of host steps: runSshStep (ssh.command,
 * ssh.script), runUploadStep (ssh.upload), runSnmpStep (snmp.*), runHttpStep (http.request)
 * and runCloudStep (cloud.server.*). The SSH ones share the worker's connection pool.
 * Besides the host steps, pollDevice: the SNMP polling jobs' reads (docs/alerts-collection.md).
 */
export function createZoneActivities(db: Connection, masterKey: MasterKeySource, pool: SshPool, settings: ZoneActivitySettings = {}) {
  const deps = stepDeps(db, masterKey, settings.workerName ?? `${os.hostname()}/${process.pid}`);
  const ssh = { db, pool, hostKeyPolicy: settings.hostKeyPolicy ?? 'accept-new' } as const;
  return {
    ...createAutomationHostActivities(deps, ssh, cachedRules(db, settings.highRiskRules ?? loadHighRiskRules(DEFAULT_CATALOG_DIR))),
    ...createUploadStepActivities(deps, ssh),
    ...createSnmpStepActivities(deps),
    ...createHttpStepActivities(deps),
    ...createCloudStepActivities(deps, settings.cloud),
    ...createPollingZoneActivities(db, masterKey),
  };
}

export type ZoneActivities = ReturnType<typeof createZoneActivities>;

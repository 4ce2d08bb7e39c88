import { DEFAULT_PRIORITY_MATRIX, type PriorityMatrix } from '../priority';

/** Service-desk settings from catalog/service-desk.yaml that the ticket rules depend on. */
export interface ServiceDeskSettings {
  priorityMatrix: PriorityMatrix;
  /**
   * How long a resolved incident (or fulfilled request) may be reopened; when it passes,
   * the ticket closes by itself, as ServiceNow's auto-close does.
   */
  reopenWindowMs: number;
}

export const DEFAULT_SETTINGS: ServiceDeskSettings = {
  priorityMatrix: DEFAULT_PRIORITY_MATRIX,
  reopenWindowMs: 7 * 86_400_000,
};

/** What every rule is applied with: who acts, when, and under which settings. */
export interface ActionContext {
  actor: string;
  now: string;
  settings: ServiceDeskSettings;
}

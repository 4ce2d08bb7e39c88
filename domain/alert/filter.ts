/**
 * What the console filters alerts by — state, severity, source, labels, CI, application and
 * group — as data, and the one in-memory check of it. The store turns the same criteria into
 * a query (store/alerts/alerts.ts `listAlerts`); the live stream, which sees changed alerts
 * one by one, checks them here. Both must agree, so the rules are stated once:
 *
 * - a list criterion (state, severity, source) holds when the alert's value is in the list;
 *   an empty or absent list does not filter;
 * - `labels` are `name=value` terms, every one must be among the alert's labels;
 * - `ci` is the CI enrichment mapped the alert to; `application` any application the CMDB
 *   puts it under (context.applications); `group` the stored group key.
 */

import type { Severity } from './alert';
import type { AlertState } from './lifecycle';

export interface AlertCriteria {
  state?: AlertState[];
  severity?: Severity[];
  source?: string[];
  /** Label equality, `name=value`, all of them. */
  labels?: string[];
  ci?: string;
  application?: string;
  group?: string;
}

/** What the criteria look at (an AlertRecord fits). */
export interface FilterableAlert {
  state: AlertState;
  severity: Severity;
  source: string;
  labels: Record<string, string>;
  ciId: string | null;
  context: { applications: Array<{ id: string }> } | null;
  groupKey?: string;
}

const within = <T>(list: readonly T[] | undefined, value: T) => !list?.length || list.includes(value);

export function alertMatches(criteria: AlertCriteria, alert: FilterableAlert): boolean {
  if (!within(criteria.state, alert.state) || !within(criteria.severity, alert.severity) || !within(criteria.source, alert.source)) return false;
  if (criteria.ci !== undefined && alert.ciId !== criteria.ci) return false;
  if (criteria.application !== undefined && !alert.context?.applications.some((a) => a.id === criteria.application)) return false;
  if (criteria.group !== undefined && alert.groupKey !== criteria.group) return false;
  if (!criteria.labels?.length) return true;
  // The same terms the store indexes (`name=value`), so a name holding '=' compares alike.
  const terms = new Set(Object.entries(alert.labels).map(([name, value]) => `${name}=${value}`));
  return criteria.labels.every((term) => terms.has(term));
}

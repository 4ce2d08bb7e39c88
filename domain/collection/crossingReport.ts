/**
 * A threshold crossing put into words for the alert pipeline: the rule's summary template
 * filled in, the values with their units, the limits as annotations. The alert keeps
 * saying the value that fired after it resolves (the recovered value is an annotation),
 * because its summary is what the incident's title and the console show. Pure.
 */

import type { ThresholdReport } from '../alert/sources/threshold';
import { formatValue, METRICS } from './metrics';
import type { Crossing } from './threshold';
import type { ThresholdRule } from './thresholdRules';
import { renderTemplate } from './template';

export interface CrossingContext {
  rule: ThresholdRule;
  ci: { id: string; name: string; address: string | null };
  instance: string;
  crossing: Crossing;
  /** The sample's time. */
  at: string;
}

export function crossingReport({ rule, ci, instance, crossing, at }: CrossingContext): ThresholdReport {
  const unit = METRICS[rule.metric].unit;
  const fired = crossing.kind === 'firing' ? crossing.value : crossing.firedValue;
  const summary = renderTemplate(rule.summary, {
    name: rule.name,
    ci: ci.name,
    instance,
    instance_suffix: instance ? ` ${instance}` : '',
    metric: rule.metric,
    value: formatValue(fired, unit),
    limit: formatValue(rule.limit, unit),
    clear: formatValue(rule.clear, unit),
    op: rule.op,
    for: rule.for,
    severity: rule.severity,
  });
  const annotations: Record<string, string> = {
    value: String(fired),
    limit: `${rule.op} ${rule.limit}`,
    clear: String(rule.clear),
    for: rule.for,
    ...(crossing.kind === 'resolved' ? { recovered_value: String(crossing.value) } : {}),
  };
  return {
    rule: { id: rule.id, name: rule.name, severity: rule.severity, metric: rule.metric, labels: rule.labels, description: rule.description },
    ci,
    instance,
    status: crossing.kind,
    startsAt: crossing.startsAt,
    endsAt: crossing.kind === 'resolved' ? crossing.endsAt : null,
    at,
    summary,
    annotations,
  };
}

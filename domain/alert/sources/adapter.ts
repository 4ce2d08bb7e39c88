/**
 * What every intake adapter is: a pure function from a sender's request body to ordered
 * alert events, or to the list of what is wrong with the body, field by field, so the API
 * answers a problem+json 400 that a person fixing the sender's configuration can act on.
 *
 * A body is accepted whole or refused whole: Alertmanager and Zabbix retry a failed
 * delivery as one unit, so accepting part of it would make the retry deliver the accepted
 * part twice and give the sender no way to tell which part was refused.
 */

import type { AlertEvent, AlertSource } from '../alert';

export interface IntakeContext {
  /** When the API received the request, ISO 8601. Used where the sender gives no time. */
  receivedAt: string;
  /** The intake integration (from the API token) the request came through; part of every fingerprint. Default ''. */
  sender?: string;
  /** Overrides of the adapter's limits, e.g. from configuration. */
  limits?: Partial<IntakeLimits>;
}

/** Bounds on one request, so one sender cannot make intake store or process without limit. */
export interface IntakeLimits {
  /** Alerts (Alertmanager) or events (Zabbix, generic events) in one request. */
  maxAlerts: number;
  /** Labels of one alert; annotations of one alert are bounded by the same number, separately. */
  maxLabels: number;
  /** Characters of a label or annotation name. */
  maxNameLength: number;
  /** Characters of a label value. */
  maxLabelValueLength: number;
  /** Characters of an annotation value (descriptions, operational data). */
  maxAnnotationValueLength: number;
}

/**
 * The defaults. Generous on purpose: a limit an alert from a healthy Alertmanager can exceed
 * makes its whole group undeliverable, since the sender retries the same body.
 */
export const DEFAULT_LIMITS: IntakeLimits = {
  maxAlerts: 1000,
  maxLabels: 64,
  maxNameLength: 256,
  maxLabelValueLength: 2048,
  maxAnnotationValueLength: 16_384,
};

export interface FieldProblem {
  /** Dotted path from the request body, as the API's field errors: `body.alerts.3.startsAt`. */
  field: string;
  message: string;
}

export type ParseResult =
  | {
      ok: true;
      /** In the order of the body; the store applies them in this order. */
      events: AlertEvent[];
      /** Digest of the whole body (every event's raw.digest): the store keeps the body under it. */
      digest: string;
      /** Things worth logging that are not errors, e.g. alerts Alertmanager left out (max_alerts). */
      notes: string[];
    }
  | { ok: false; errors: FieldProblem[] };

export interface SourceAdapter {
  source: AlertSource;
  limits: IntakeLimits;
  parse(payload: unknown, context: IntakeContext): ParseResult;
}

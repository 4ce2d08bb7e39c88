import type { SlaClock } from './clock';

/** The two things an SLA can measure on a ticket. */
export type SlaMetric = 'response' | 'resolution';

/** One SLA attached to a ticket: a policy's clock plus what has already been announced. */
export interface TicketSla {
  /** The policy id (catalog/sla/policies/<id>.yaml) the clock currently follows. */
  policy: string;
  /** The policy that first attached it, kept when a priority or policy change carries it over. */
  originalPolicy: string;
  name: string;
  metric: SlaMetric;
  calendar: string;
  clock: SlaClock;
  /** Warning ratios (e.g. 0.5, 0.75) already reached and announced. */
  warned: number[];
  breached: boolean;
  breachedAt: string | null;
}

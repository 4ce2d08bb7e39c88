/** Impact and urgency use ITIL's scale: 1 = high, 2 = medium, 3 = low. */
export type Level = 1 | 2 | 3;
export type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

/**
 * The default impact × urgency lookup (rows: impact, columns: urgency), the same
 * table ServiceNow ships; catalog/service-desk.yaml may replace it.
 */
export type PriorityMatrix = Readonly<Record<Level, Readonly<Record<Level, Priority>>>>;

export const DEFAULT_PRIORITY_MATRIX: PriorityMatrix = {
  1: { 1: 'P1', 2: 'P2', 3: 'P3' },
  2: { 1: 'P2', 2: 'P3', 3: 'P4' },
  3: { 1: 'P3', 2: 'P4', 3: 'P5' },
};

export function priorityOf(impact: Level, urgency: Level, matrix = DEFAULT_PRIORITY_MATRIX): Priority {
  return matrix[impact][urgency];
}

export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];

/** `steps` levels more urgent than `priority`, never beyond P1 (an SLA escalation raises it). */
export function raised(priority: Priority, steps: number): Priority {
  return PRIORITIES[Math.max(0, PRIORITIES.indexOf(priority) - steps)]!;
}

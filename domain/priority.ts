/** Impact and urgency use ITIL's scale: 1 = high, 2 = medium, 3 = low. */
export type Level = 1 | 2 | 3;
export type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

/**
 * The default impact × urgency lookup (rows: impact, columns: urgency), the same
 * table ServiceNow ships. Later issues make it configurable from the catalog.
 */
export const DEFAULT_PRIORITY_MATRIX: Readonly<Record<Level, Readonly<Record<Level, Priority>>>> = {
  1: { 1: 'P1', 2: 'P2', 3: 'P3' },
  2: { 1: 'P2', 2: 'P3', 3: 'P4' },
  3: { 1: 'P3', 2: 'P4', 3: 'P5' },
};

export function priorityOf(impact: Level, urgency: Level, matrix = DEFAULT_PRIORITY_MATRIX): Priority {
  return matrix[impact][urgency];
}

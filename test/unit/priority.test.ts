import { priorityOf } from '../../domain/priority';
import { formatTicketNumber, isTicketNumber, ticketWorkflowId } from '../../domain/ticketNumber';

describe('priority matrix', () => {
  it.each([
    [1, 1, 'P1'], [1, 2, 'P2'], [1, 3, 'P3'],
    [2, 1, 'P2'], [2, 2, 'P3'], [2, 3, 'P4'],
    [3, 1, 'P3'], [3, 2, 'P4'], [3, 3, 'P5'],
  ] as const)('impact %i × urgency %i is %s', (impact, urgency, priority) => {
    expect(priorityOf(impact, urgency)).toBe(priority);
  });
});

describe('ticket numbers', () => {
  it('pads the sequence to seven digits behind the kind prefix', () => {
    expect(formatTicketNumber('incident', 42)).toBe('INC0000042');
    expect(formatTicketNumber('change', 1)).toBe('CHG0000001');
    expect(formatTicketNumber('incident', 12_345_678)).toBe('INC12345678');
    expect(isTicketNumber('INC0000042')).toBe(true);
    expect(isTicketNumber('INC42')).toBe(false);
    expect(ticketWorkflowId('INC0000042')).toBe('ticket/INC0000042');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses sequence %p', (sequence) => {
    expect(() => formatTicketNumber('incident', sequence)).toThrow(RangeError);
  });
});

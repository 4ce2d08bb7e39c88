/** Ticket numbers are a kind prefix and a zero-padded sequence: INC0000042. */
export const TICKET_PREFIX = { incident: 'INC', request: 'REQ', change: 'CHG', problem: 'PRB' } as const;
export type TicketKind = keyof typeof TICKET_PREFIX;

const DIGITS = 7;
const NUMBER_PATTERN = /^(INC|REQ|CHG|PRB)(\d{7,})$/;

export function formatTicketNumber(kind: TicketKind, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`ticket sequence must be a positive integer, got ${sequence}`);
  return TICKET_PREFIX[kind] + String(sequence).padStart(DIGITS, '0');
}

export function isTicketNumber(value: string): boolean {
  return NUMBER_PATTERN.test(value);
}

/** Workflow IDs are business IDs so that a ticket has exactly one workflow. */
export function ticketWorkflowId(number: string): string {
  return `ticket/${number}`;
}

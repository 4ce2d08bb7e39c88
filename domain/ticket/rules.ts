import type { TicketCommon } from './common';

/** Which states an action may start from, and where it leads (undefined: state unchanged). */
export type Rules<S extends string, A extends string> = Record<A, { from: readonly S[]; to?: S }>;

/** Why `type` cannot run in the ticket's current state, or null when it can. */
export function stateRejection<S extends string, A extends string>(ticket: TicketCommon, type: A, rules: Rules<S, A>): string | null {
  const rule = rules[type];
  if (!rule) return `${ticket.kind} ${ticket.number} has no action '${type}'`;
  if (rule.from.includes(ticket.state as S)) return null;
  const allowed = rule.from.map((s) => `'${s}'`).join(' or ');
  const verb = type.replace(/_/g, ' ');
  return `cannot ${verb} ${ticket.number}: it is '${ticket.state}', and ${verb} needs ${allowed}`;
}

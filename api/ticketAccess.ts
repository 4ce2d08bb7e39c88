import type { Request, Response } from 'express';
import type { Connection } from 'mongoose';
import { slaDisplay } from '../domain/sla/ticketSla';
import type { SlaCatalog } from '../domain/sla/policy';
import { isVisible, type Ticket, visibilityOf, type TicketScope, withoutWorkNotes } from '../domain/ticket/ticket';
import { ticketModel, type TicketDocument, toTicket } from '../store/tickets';
import type { AuditRecorder } from './audit';
import type { Principal } from './auth/principal';
import { InputError, NotFoundError } from './problem';

export function scopeOf(principal: Principal): TicketScope {
  return { all: principal.permissions.has('ticket.read_all'), username: principal.username, groups: principal.groups };
}

/** The store filter matching isVisible(), so listings page through visible tickets only. */
export function scopeFilter(scope: TicketScope) {
  if (scope.all) return {};
  return { $or: [{ openedBy: scope.username }, { watchers: scope.username }, { participants: scope.username }, { workingGroups: { $in: scope.groups } }] };
}

/** Reads tickets for a caller: invisible ones answer the same 404 as missing ones, so numbers cannot be probed. */
export function ticketReader(db: Connection, audit: AuditRecorder) {
  const tickets = ticketModel(db);
  return async function load(number: string, req: Request): Promise<Ticket> {
    const found = await tickets.findById(number).lean<TicketDocument>().exec();
    const ticket = found && toTicket(found);
    const visible = ticket && isVisible(visibilityOf(ticket), scopeOf(req.principal!));
    if (ticket && !visible) {
      await audit(req, { action: 'access.denied', target: { type: 'ticket', id: number }, outcome: 'denied', detail: "outside the caller's groups" });
    }
    if (!ticket || !visible) throw new NotFoundError(`no ticket ${number}`);
    return ticket;
  };
}

/** The ticket as the caller is shown it: work notes only for agents, SLA clocks as remaining time. */
export function presentTicket(principal: Principal, ticket: Ticket, sla: SlaCatalog, now = new Date().toISOString()) {
  const shown = principal.permissions.has('ticket.act') ? ticket : withoutWorkNotes(ticket);
  const { slas, ...fields } = shown;
  return { ...fields, sla: (slas ?? []).map((clock) => slaDisplay(clock, sla, now)) };
}

export function sendTicket(res: Response, principal: Principal, ticket: Ticket, sla: SlaCatalog): void {
  res.setHeader('ETag', `"${ticket.version}"`);
  res.json(presentTicket(principal, ticket, sla));
}

export function expectedVersion(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) throw new InputError(`If-Match must be an ETag from a previous response, like "3"; got ${header}`, [{ field: 'headers.if-match', message: 'not an ETag' }]);
  return Number(match[1]);
}

import type { Connection } from 'mongoose';
import { z } from 'zod';
import { ticketModel } from '../../store/tickets';
import type { AuditRecorder } from '../audit';
import { type AnyRoute, defineRoute } from '../route';
import { ticketNumber } from '../schemas/ticket';
import { ticketReader } from '../ticketAccess';

/** How often a stream looks for a new version: a point lookup by `_id`, cheap on any store. */
const POLL_MS = 1_000;
/** A comment line now and then keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * Live updates of one ticket as server-sent events. The worker writes the ticket, not this
 * process, so the stream watches the stored version; every API process can serve it.
 */
export function ticketStreamRoutes({ db, audit, pollMs = POLL_MS }: { db: Connection; audit: AuditRecorder; pollMs?: number }): AnyRoute[] {
  const tickets = ticketModel(db);
  const load = ticketReader(db, audit);

  const stream = defineRoute({
    method: 'get',
    path: '/tickets/:number/stream',
    operationId: 'streamTicket',
    summary: 'Server-sent events: `ticket` with {number, version, updatedAt} whenever the ticket changes',
    tag: 'tickets',
    permission: 'ticket.read',
    params: z.strictObject({ number: ticketNumber }),
    responses: { 200: { description: 'An event stream (text/event-stream); the first event carries the current version' } },
    async handler({ params, req, res }) {
      const first = await load(params.number, req);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let version = 0;
      const send = (current: { version: number; updatedAt: string }) => {
        version = current.version;
        res.write(`event: ticket\ndata: ${JSON.stringify({ number: params.number, version: current.version, updatedAt: current.updatedAt })}\n\n`);
      };
      send(first);
      const poll = setInterval(async () => {
        const found = await tickets.findById(params.number, { version: 1, updatedAt: 1 }).lean<{ version: number; updatedAt: string }>().exec().catch(() => null);
        if (found && found.version > version) send(found);
      }, pollMs);
      const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
      await new Promise<void>((resolve) => req.on('close', resolve));
      clearInterval(poll);
      clearInterval(heartbeat);
    },
  });

  return [stream];
}

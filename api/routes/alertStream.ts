import type { Request, Response } from 'express';
import { z } from 'zod';
import { type AlertCriteria, alertMatches } from '../../domain/alert/filter';
import { parseInstant } from '../../domain/alert/silence';
import type { AlertFeed, FeedBatch } from '../alertFeed';
import { UnavailableError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';
import { alertCriteria, criteriaOf } from '../schemas/alert';
import { present } from './alerts';

/** Streams one API process serves at once; more are turned away (503, Retry-After) rather than slowing all. */
const MAX_CLIENTS = 200;
/** A comment now and then keeps proxies from closing an idle stream, and carries the watermark. */
const HEARTBEAT_MS = 15_000;
/** A client away longer than this reloads the list instead of being sent what it missed. */
const MAX_RESUME_MS = 10 * 60_000;

export interface AlertStreamDeps {
  feed: AlertFeed;
  maxClients?: number;
  heartbeatMs?: number;
}

/**
 * The console's live list: server-sent events carrying every alert that changes, filtered
 * by the same criteria as GET /alerts (docs/alerts.md#the-console).
 *
 * - `ready` first, `{ resumed, watermark }`: when not resumed the client (re)loads the list
 *   now — everything that changes from here on comes as events.
 * - `alerts`, `{ alerts: [...], gone: [ids] }`: alerts that changed and match, as GET /alerts
 *   shows them plus `rev` (a client keeps the higher), and the ids of changed alerts that no
 *   longer match (to drop from the list). Its `id` is the feed's watermark.
 * - a comment every 15 s, with the watermark as `id`, so Last-Event-ID stays current.
 *
 * Reconnecting with `Last-Event-ID` (EventSource does it by itself) resumes: what changed
 * since is read from the store and sent first. An id that is not a time, or older than 10
 * minutes, is not resumed.
 */
export function alertStreamRoutes({ feed, maxClients = MAX_CLIENTS, heartbeatMs = HEARTBEAT_MS }: AlertStreamDeps): AnyRoute[] {
  const stream = defineRoute({
    method: 'get',
    path: '/alerts/stream',
    operationId: 'streamAlerts',
    summary: 'Server-sent events: `ready`, then `alerts` with every alert that changes (filtered like the list) and `gone` for those that no longer match',
    tag: 'alerts',
    permission: 'alert.read',
    query: z.strictObject(alertCriteria),
    headers: { 'Last-Event-ID': 'The id of the last event received: resume from there (EventSource sends it when it reconnects)' },
    responses: {
      200: { description: 'An event stream (text/event-stream)' },
      400: { description: 'A filter is malformed; `errors` names it' },
      503: { description: 'This process serves as many streams as it may; retry after Retry-After', headers: { 'Retry-After': 'Seconds to wait' } },
    },
    async handler({ query, req, res }) {
      if (feed.listeners >= maxClients) throw new UnavailableError(`this API process already serves ${maxClients} live alert streams; retry later or reload the list`, 30);
      await follow(criteriaOf(query), req, res);
    },
  });

  async function follow(criteria: AlertCriteria, req: Request, res: Response): Promise<void> {
    let closed = false;
    // The response closes when the client goes away (or the server shuts down).
    const gone = new Promise<void>((resolve) =>
      res.on('close', () => {
        closed = true;
        resolve();
      }),
    );
    const write = (text: string) => !closed && res.write(text);
    const send = (batch: Pick<FeedBatch, 'alerts'> & { watermark?: string }) => {
      const matching = batch.alerts.filter((a) => alertMatches(criteria, a));
      const others = batch.alerts.filter((a) => !matching.includes(a)).map((a) => a.id);
      const data = JSON.stringify({ alerts: matching.map((a) => ({ ...present(a, false), rev: a.rev })), gone: others });
      write(`${batch.watermark ? `id: ${batch.watermark}\n` : ''}event: alerts\ndata: ${data}\n\n`);
    };
    // Listen first, then read what the client missed: a change in between is sent twice, never lost.
    const pending: FeedBatch[] = [];
    let live = false;
    const { watermark, unsubscribe } = feed.subscribe((batch) => (live ? send(batch) : pending.push(batch)));
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const from = resumeFrom(req.get('last-event-id'));
      // A store that cannot be read now: the client reloads the list instead (and retries if that fails too).
      const missed = from ? await feed.replay(from).catch(() => null) : null;
      write(`id: ${watermark}\nevent: ready\ndata: ${JSON.stringify({ resumed: missed !== null, watermark })}\n\n`);
      if (missed?.length) send({ alerts: missed });
      for (const batch of pending) send(batch);
      live = true;
      // From now on every batch is sent as it comes, so the feed's watermark is this client's too.
      heartbeat = setInterval(() => write(`: still here\nid: ${feed.watermark()}\n\n`), heartbeatMs);
      await gone;
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
      res.end();
    }
  }

  return [stream];
}

function resumeFrom(lastEventId: string | undefined): string | null {
  const at = lastEventId ? parseInstant(lastEventId) : null;
  if (at === null || Date.now() - at > MAX_RESUME_MS) return null;
  return new Date(at).toISOString();
}

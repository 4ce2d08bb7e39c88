import type { Connection } from 'mongoose';
import { z } from 'zod';
import { formatMatchers } from '../../domain/alert/matchers';
import { silenceMatches, silenceState, validateSilence } from '../../domain/alert/silence';
import { listAlerts } from '../../store/alerts/alerts';
import { expireSilence, findSilence, insertSilence, listSilences } from '../../store/alerts/silences';
import type { AuditRecorder } from '../audit';
import { ConflictError, invalidBody, NotFoundError } from '../problem';
import { type AnyRoute, defineRoute } from '../route';

const TAG = 'alerts';
const silenceId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'not a silence id');
/** Open alerts a preview looks at: enough for a console, bounded so a preview stays quick. */
const PREVIEW_SCAN = 5000;

const matcher = z.object({ name: z.string(), op: z.enum(['=', '!=', '=~', '!~']), value: z.string() });
const silence = z
  .object({
    id: z.string(),
    matchers: z.array(matcher),
    text: z.string().meta({ description: 'The matchers in Alertmanager syntax' }),
    startsAt: z.string(),
    endsAt: z.string(),
    recurrence: z.unknown().optional(),
    createdBy: z.string(),
    comment: z.string(),
    createdAt: z.string(),
    state: z.enum(['pending', 'active', 'expired']),
  })
  .meta({ id: 'Silence' });

const silenceBody = z
  .strictObject({
    matchers: z.union([z.string(), z.array(z.unknown())]).meta({ description: 'Alertmanager syntax (`{alertname="X", env=~"prod|dr"}`), a list of matcher texts, or a list of { name, op, value }' }),
    startsAt: z.string().optional().meta({ description: 'Default: now' }),
    endsAt: z.string(),
    comment: z.string(),
    recurrence: z.unknown().optional().meta({ description: "Weekly windows in a time zone: { timeZone, windows: [{ days, start, end }] } (docs/alerts-processing.md#silences)" }),
  })
  .meta({ id: 'NewSilence' });

export interface SilenceRouteDeps {
  db: Connection;
  audit: AuditRecorder;
  /** Re-reads the open alerts' suppression after a change, and tells their groups. */
  suppressionChanged: (at: string) => Promise<void>;
}

/** Silences: create (with a preview of what they match), list, expire. Changing them re-reads suppression of the open alerts. */
export function alertSilenceRoutes({ db, audit, suppressionChanged }: SilenceRouteDeps): AnyRoute[] {
  const validated = (body: z.output<typeof silenceBody>, by: string, now: string) => {
    const result = validateSilence({ ...body, startsAt: body.startsAt ?? now, createdBy: by }, { now });
    if (!result.ok) throw invalidBody('the silence', result.problems);
    return result.silence;
  };
  const present = (s: Awaited<ReturnType<typeof insertSilence>>, now: string) => ({ ...s, text: formatMatchers(s.matchers), state: silenceState(s, now) });

  const list = defineRoute({
    method: 'get',
    path: '/alerts/silences',
    operationId: 'listSilences',
    summary: 'Silences, latest ending first (expired ones too)',
    tag: TAG,
    permission: 'alert.read',
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    responses: { 200: { description: 'Silences', schema: z.object({ items: z.array(silence) }) } },
    async handler({ query, res }) {
      const now = new Date().toISOString();
      res.json({ items: (await listSilences(db, query.limit)).map((s) => present(s, now)) });
    },
  });

  const preview = defineRoute({
    method: 'post',
    path: '/alerts/silences/preview',
    operationId: 'previewSilence',
    summary: 'Which open alerts a silence would match, before creating it',
    tag: TAG,
    permission: 'alert.read',
    body: silenceBody,
    responses: { 200: { description: 'The open alerts it matches (ids), of those looked at', schema: z.object({ matches: z.array(z.string()), scanned: z.int() }) }, 400: { description: 'Not a valid silence' } },
    async handler({ body, req, res }) {
      const spec = validated(body, req.principal!.username, new Date().toISOString());
      const open = await listAlerts(db, { state: ['firing', 'suppressed', 'acknowledged'] }, PREVIEW_SCAN);
      res.json({ matches: open.filter((a) => silenceMatches({ ...spec, id: 'preview' }, a.labels)).map((a) => a.id), scanned: open.length });
    },
  });

  const create = defineRoute({
    method: 'post',
    path: '/alerts/silences',
    operationId: 'createSilence',
    summary: 'Silence alerts by matchers for a time (or weekly windows): they stay visible as suppressed, resolves still flow',
    tag: TAG,
    permission: 'alert.silence',
    body: silenceBody,
    responses: { 201: { description: 'The silence', schema: silence }, 400: { description: 'Not a valid silence' } },
    async handler({ body, req, res }) {
      const now = new Date().toISOString();
      const created = await insertSilence(db, validated(body, req.principal!.username, now), now);
      await suppressionChanged(now);
      await audit(req, { action: 'alert.silence.create', target: { type: 'silence', id: created.id }, outcome: 'success', detail: `${formatMatchers(created.matchers)} until ${created.endsAt}` });
      res.status(201).json(present(created, now));
    },
  });

  const expire = defineRoute({
    method: 'delete',
    path: '/alerts/silences/:id',
    operationId: 'expireSilence',
    summary: 'Expire a silence now; the alerts it held are released',
    tag: TAG,
    permission: 'alert.silence',
    params: z.strictObject({ id: silenceId }),
    responses: { 200: { description: 'The silence, expired', schema: silence }, 404: { description: 'No such silence' }, 409: { description: 'Already expired' } },
    async handler({ params: p, req, res }) {
      const now = new Date().toISOString();
      if (!(await findSilence(db, p.id))) throw new NotFoundError(`no silence ${p.id}`);
      if (!(await expireSilence(db, p.id, now, req.principal!.username))) throw new ConflictError(`silence ${p.id} has already ended`);
      await suppressionChanged(now);
      await audit(req, { action: 'alert.silence.expire', target: { type: 'silence', id: p.id }, outcome: 'success' });
      res.json(present((await findSilence(db, p.id))!, now));
    },
  });

  return [list, preview, create, expire];
}

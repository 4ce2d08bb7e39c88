import type { Connection } from 'mongoose';
import { z } from 'zod';
import { type AuditEntry, auditToCsv } from '../../domain/audit';
import { type AuditSearch, searchAudit, verifyAudit } from '../../store/audit';
import { type AnyRoute, defineRoute } from '../route';

const EXPORT_LIMIT = 100_000;

const filters = {
  actor: z.string().max(100).optional().meta({ description: 'User name or token id' }),
  action: z.string().max(100).optional(),
  targetType: z.string().max(100).optional(),
  targetId: z.string().max(200).optional(),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Inclusive, ISO 8601' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Exclusive, ISO 8601' }),
};

const entry = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.object({ type: z.string(), id: z.string(), name: z.string().optional() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    outcome: z.string().optional(),
    diff: z.record(z.string(), z.unknown()).optional(),
    clientAddress: z.string().optional(),
    requestId: z.string().optional(),
    detail: z.string().optional(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

function toSearch(query: { actor?: string; action?: string; targetType?: string; targetId?: string; from?: string; to?: string }): Omit<AuditSearch, 'limit'> {
  const { actor, ...rest } = query;
  return { ...rest, ...(actor !== undefined && { actorId: actor }) };
}

/** The audit trail for auditors: search, export and chain verification. */
export function auditRoutes({ db }: { db: Connection }): AnyRoute[] {
  const search = defineRoute({
    method: 'get',
    path: '/audit',
    operationId: 'searchAudit',
    summary: 'Search the audit trail, newest first',
    tag: 'audit',
    permission: 'audit.read',
    query: z.strictObject({ ...filters, limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.coerce.number().int().min(1).optional() }),
    responses: { 200: { description: 'A page of entries', schema: z.object({ items: z.array(entry), nextCursor: z.number().nullable() }) } },
    async handler({ query, res }) {
      const { limit, cursor, ...rest } = query;
      const page = await searchAudit(db, { ...toSearch(rest), limit, cursor });
      res.json({ items: page.entries, nextCursor: page.nextCursor });
    },
  });

  const exportEntries = defineRoute({
    method: 'get',
    path: '/audit/export',
    operationId: 'exportAudit',
    summary: `Download the matching entries (up to ${EXPORT_LIMIT}) as CSV or JSON`,
    tag: 'audit',
    permission: 'audit.read',
    query: z.strictObject({ ...filters, format: z.enum(['csv', 'json']).default('csv') }),
    responses: { 200: { description: 'A file of entries (text/csv or application/json)' } },
    async handler({ query, res }) {
      const { format, ...rest } = query;
      const entries: AuditEntry[] = [];
      let cursor: number | undefined;
      do {
        const page = await searchAudit(db, { ...toSearch(rest), limit: 1000, cursor });
        entries.push(...page.entries);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && entries.length < EXPORT_LIMIT);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      res.attachment(`flowdesk-audit-${stamp}.${format}`);
      if (format === 'csv') res.type('text/csv').send(auditToCsv(entries));
      else res.json(entries);
    },
  });

  const verify = defineRoute({
    method: 'get',
    path: '/audit/verify',
    operationId: 'verifyAudit',
    summary: 'Verify the hash chain; names the first broken entry',
    tag: 'audit',
    permission: 'audit.read',
    responses: {
      200: {
        description: 'The verification result',
        schema: z.union([
          z.object({ ok: z.literal(true), checked: z.number() }),
          z.object({ ok: z.literal(false), checked: z.number(), firstBroken: z.object({ seq: z.number(), reason: z.string() }) }),
        ]),
      },
    },
    async handler({ res }) {
      res.json(await verifyAudit(db));
    },
  });

  return [search, exportEntries, verify];
}

import type { Request } from 'express';
import type { Connection } from 'mongoose';
import type { AuditInput } from '../domain/audit';
import { appendAudit } from '../store/audit';

/** What a route says happened; who, from where and in which request come from `req`. */
export type AuditEvent = Omit<AuditInput, 'actor' | 'clientAddress' | 'requestId'>;
export type AuditRecorder = (req: Request, event: AuditEvent) => Promise<void>;

export function auditRecorder(db: Connection): AuditRecorder {
  return async (req, event) => {
    const principal = req.principal;
    const actor = principal?.tokenId
      ? { type: 'token' as const, id: principal.tokenId, name: principal.username }
      : { type: 'user' as const, id: principal?.username ?? req.actor ?? 'anonymous' };
    await appendAudit(db, { ...event, actor, clientAddress: req.ip, requestId: req.id });
  };
}

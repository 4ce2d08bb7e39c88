import { BASE, request } from './http';

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { type: string; id: string; name?: string };
  action: string;
  target: { type: string; id: string };
  outcome?: 'success' | 'denied' | 'failure' | string;
  diff?: Record<string, { before?: unknown; after?: unknown }>;
  clientAddress?: string;
  requestId?: string;
  detail?: string;
}

export interface AuditFilters {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** ISO date-times. */
  from?: string;
  to?: string;
}

export const AUDIT_FILTER_KEYS = ['actor', 'action', 'targetType', 'targetId', 'from', 'to'] as const;

export function auditQuery(filters: AuditFilters): URLSearchParams {
  const query = new URLSearchParams();
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) query.set(key, value);
  }
  return query;
}

/** The server's cursor is opaque to the UI (a sequence number today). */
export type AuditCursor = string | number;

export function listAudit(filters: AuditFilters, { limit = 50, cursor, signal }: { limit?: number; cursor?: AuditCursor | null; signal?: AbortSignal } = {}): Promise<{ items: AuditEntry[]; nextCursor: AuditCursor | null }> {
  const query = auditQuery(filters);
  query.set('limit', String(limit));
  if (cursor !== undefined && cursor !== null && cursor !== '') query.set('cursor', String(cursor));
  return request<{ items: AuditEntry[]; nextCursor: AuditCursor | null }>('GET', `/audit?${query}`, { signal });
}

/** A plain link: the browser downloads the export with the session cookie. */
export function auditExportUrl(format: 'csv' | 'json', filters: AuditFilters): string {
  const query = auditQuery(filters);
  query.set('format', format);
  return `${BASE}/audit/export?${query}`;
}

export type AuditVerifyResult = { ok: true; checked: number } | { ok: false; checked: number; firstBroken: { seq: number; reason: string } };

export function verifyAudit(): Promise<AuditVerifyResult> {
  return request<AuditVerifyResult>('GET', '/audit/verify');
}


import { request } from './http';

// Items, forms and the answer rules come from the domain the server runs: the portal
// validates with the very function the server applies, so both always agree.
import type { Answers, CatalogItem } from '../../../domain/catalogItem';

export { fieldOrder, isRequired, searchItems, validateAnswers } from '../../../domain/catalogItem';
export type { Answer, AnswerError, Answers, Approval, CatalogItem, FormField, FormSchema } from '../../../domain/catalogItem';

export interface CatalogList {
  items: CatalogItem[];
  /** Every category of the catalog, whatever the filter. */
  categories: string[];
}

export function listCatalogItems({ q, category, signal }: { q?: string; category?: string; signal?: AbortSignal } = {}): Promise<CatalogList> {
  const query = new URLSearchParams();
  if (q?.trim()) query.set('q', q.trim());
  if (category) query.set('category', category);
  const search = query.toString();
  return request<CatalogList>('GET', `/catalog/items${search ? `?${search}` : ''}`, { signal });
}

export function getCatalogItem(id: string, signal?: AbortSignal): Promise<CatalogItem> {
  return request<CatalogItem>('GET', `/catalog/items/${encodeURIComponent(id)}`, { signal });
}

export interface Order {
  /** The catalog item's id. */
  item: string;
  answers: Answers;
}

/** The service request an order opened; the portal needs its number to follow it. */
export interface RequestTicket {
  number: string;
}

/**
 * Orders an item. `idempotencyKey` stays the same while the order does, so a retry after
 * a lost answer returns the request the first attempt opened instead of a second one.
 */
export function orderCatalogItem(order: Order, idempotencyKey: string): Promise<RequestTicket> {
  return request<RequestTicket>('POST', '/requests', { body: order, headers: { 'Idempotency-Key': idempotencyKey } });
}

import { request } from './http';

/** The CMDB: the model, CIs, relations, history and selector queries (docs/cmdb.md). */

export interface AttributeDefinition {
  type: string;
  list?: boolean;
  label?: string;
  description?: string;
  required?: boolean;
  unique?: boolean;
  values?: string[];
  class?: string;
  default?: unknown;
}

export interface CmdbClass {
  name: string;
  label: string;
  description?: string;
  abstract: boolean;
  parent: string | null;
  lineage: string[];
  attributes: Record<string, AttributeDefinition>;
  /** The class as defined (own attributes only), the form the model editor edits. */
  definition?: Record<string, unknown>;
}

export interface RelationType {
  name: string;
  label: string;
  inverseLabel?: string;
  [field: string]: unknown;
}

export interface CmdbModel {
  classes: CmdbClass[];
  relationTypes: RelationType[];
}

export type AttributeValue = string | number | boolean | null | Array<string | number | boolean>;

export interface Ci {
  id: string;
  class: string;
  attributes: Record<string, AttributeValue>;
  tags: string[];
  sources: Record<string, string>;
  zone: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Relation {
  id: string;
  type: string;
  source: string;
  target: string;
}

export interface HistoryEntry {
  version: number;
  at: string;
  actor: { type: string; id: string };
  operation: string;
  changes: Record<string, { before: AttributeValue; after: AttributeValue }>;
}

export type Selector = Record<string, unknown>;

export interface CiPage {
  items: Ci[];
  total: number;
  nextCursor: string | null;
}

export const getCmdbModel = (signal?: AbortSignal) => request<CmdbModel>('GET', '/cmdb/model', { signal });
export const queryCis = (selector: Selector, cursor?: string, signal?: AbortSignal) => request<CiPage>('POST', '/cmdb/query', { body: { selector, limit: 50, ...(cursor && { cursor }) }, signal });
export const getCi = (id: string, signal?: AbortSignal) => request<Ci>('GET', `/cmdb/cis/${encodeURIComponent(id)}`, { signal });
export const ciHistory = (id: string, signal?: AbortSignal) => request<{ items: HistoryEntry[] }>('GET', `/cmdb/cis/${encodeURIComponent(id)}/history`, { signal }).then((r) => r.items);
export const ciRelations = (id: string, signal?: AbortSignal) =>
  request<{ outgoing: Array<{ relation: Relation; other: Ci }>; incoming: Array<{ relation: Relation; other: Ci }> }>('GET', `/cmdb/cis/${encodeURIComponent(id)}/relations`, { signal });

export const createCi = (cls: string, attributes: Record<string, unknown>, tags?: string[]) => request<Ci>('POST', '/cmdb/cis', { body: { class: cls, attributes, ...(tags && { tags }) } });
export const updateCi = (id: string, version: number, attributes: Record<string, unknown>) =>
  request<Ci>('PATCH', `/cmdb/cis/${encodeURIComponent(id)}`, { body: { attributes }, headers: { 'If-Match': `"${version}"` } });
export const retireCi = (id: string) => request<Ci>('DELETE', `/cmdb/cis/${encodeURIComponent(id)}`);

export interface Topology {
  root: string;
  nodes: Array<{ ci: Ci; depth: number }>;
  edges: Relation[];
  truncated: boolean;
}

export interface Impacted {
  ci: Ci;
  effect: 'down' | 'degraded';
  depth: number;
}

export interface Impact {
  failing: string[];
  impacted: Impacted[];
  highlights: Record<string, Impacted[]>;
  truncated: boolean;
}

export const ciTopology = (id: string, direction: 'upstream' | 'downstream' | 'both', depth: number, signal?: AbortSignal) =>
  request<Topology>('GET', `/cmdb/cis/${encodeURIComponent(id)}/topology?direction=${direction}&depth=${depth}`, { signal });
export const impactOf = (failing: string[]) => request<Impact>('POST', '/cmdb/impact', { body: { failing } });

export interface ClassChangeReport {
  applied: boolean;
  checked: number;
  violations: number;
  examples: Array<{ id: string; name: string | null; errors: Array<{ field: string; message: string }> }>;
}

export const putCmdbClass = (name: string, definition: unknown, options: { dryRun?: boolean; force?: boolean } = {}) =>
  request<ClassChangeReport>('PUT', `/cmdb/classes/${encodeURIComponent(name)}?dryRun=${options.dryRun ? 'true' : 'false'}&force=${options.force ? 'true' : 'false'}`, { body: definition });
export const putRelationType = (name: string, definition: unknown) => request<unknown>('PUT', `/cmdb/relation-types/${encodeURIComponent(name)}`, { body: definition });

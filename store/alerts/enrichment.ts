import type { NormalizedAlert } from '../../domain/alert/alert';
import { type AlertContext, contextOf, type EnrichmentRules, findCi } from '../../domain/alert/enrichment';
import type { CmdbGraph } from '../../domain/cmdb/graph';
import type { ResolvedModel } from '../../domain/cmdb/model';

/** What enrichment reads: this process's CMDB replica and the model (api/cmdb.ts gives both). */
export interface CmdbSource {
  graph(): Promise<CmdbGraph>;
  model(): Promise<ResolvedModel>;
}

/** Returns, once per request, how to enrich that request's alerts. */
export type EnrichmentSource = () => Promise<(alert: NormalizedAlert) => AlertContext | null>;

/**
 * Enrichment from the CMDB as it is now: the graph synced once per request, each CI's
 * context computed once per request however many alerts name it.
 */
export function cmdbEnrichment(cmdb: CmdbSource, rules: EnrichmentRules): EnrichmentSource {
  return async () => {
    if (!rules.ciMapping.length) return () => null;
    const [graph, model] = await Promise.all([cmdb.graph(), cmdb.model()]);
    const contexts = new Map<string, AlertContext>();
    return (alert) => {
      const found = findCi(alert, rules.ciMapping, graph, model);
      if (!found.ok) return null;
      const key = `${found.ci.id}\n${found.foundBy}`;
      let context = contexts.get(key);
      if (!context) contexts.set(key, (context = contextOf(found.ci, found.foundBy, graph, model, rules.depth)));
      return context;
    };
  };
}

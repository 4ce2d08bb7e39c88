import type { CiRecord, CmdbGraph } from '../cmdb/graph';
import { DEFAULT_ZONE } from './run';
import type { TargetFacts } from './runPolicy';

const MEMBER_OF = new Set(['member_of']);
const RUNS_ON = new Set(['runs_on']);
const PART_OF = new Set(['part_of']);
const APPLICATION = 'application';
/** Applications are looked for this many `part_of` steps up (a module of a module of an application). */
const MAX_PART_OF_DEPTH = 8;

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/**
 * What a target scope looks at on a CI (domain/automation/runPolicy.ts): its environment,
 * zone and owner group, and the applications it serves, found as the CMDB starter model
 * relates them: the host is a member of one, or runs an instance that is a member of a
 * service or application, which may in turn be part of an application.
 */
export function targetFacts(ci: CiRecord, graph: CmdbGraph): TargetFacts {
  return {
    id: ci.id,
    name: text(ci.attributes.name) ?? ci.id,
    environment: text(ci.attributes.environment),
    zone: graph.zoneOf(ci) ?? DEFAULT_ZONE,
    ownerGroup: text(ci.attributes.owner_group),
    applications: applicationsOf(ci.id, graph),
  };
}

function applicationsOf(id: string, graph: CmdbGraph): string[] {
  const instances = graph.relationsOf(id, 'in', RUNS_ON).map((r) => r.source);
  let frontier = [id, ...instances].flatMap((member) => graph.relationsOf(member, 'out', MEMBER_OF).map((r) => r.target));
  const seen = new Set<string>();
  for (let depth = 0; frontier.length && depth <= MAX_PART_OF_DEPTH; depth++) {
    const next: string[] = [];
    for (const ci of frontier) {
      if (seen.has(ci)) continue;
      seen.add(ci);
      next.push(...graph.relationsOf(ci, 'out', PART_OF).map((r) => r.target));
    }
    frontier = next;
  }
  return [...seen].flatMap((ciId) => {
    const app = graph.ci(ciId);
    return app && app.class === APPLICATION ? [ciId, ...(text(app.attributes.name) ? [text(app.attributes.name)!] : [])] : [];
  });
}

/**
 * Topology walks and impact analysis over the CMDB graph.
 *
 * Directions follow the relation: `downstream` walks from source to target (an application
 * to the instances it is made of... to the hosts they run on), `upstream` from target to
 * source (a host to what runs on it), as the dependency views of ServiceNow do.
 *
 * Impact asks a different question: if this CI fails, what else fails? A failure travels
 * along each relation the way its type says (`propagates`): a host failing takes down what
 * `runs_on` it; a rack failing takes down what it `contains`. Across a `redundant` relation
 * (members of a service or cluster), the group is only degraded while one of its members is
 * still up, and down once all of them are.
 */

import type { CiRecord, CmdbGraph, RelationRecord } from './graph';
import type { ResolvedModel } from './model';

export type Direction = 'upstream' | 'downstream' | 'both';

export interface TraversalRequest {
  direction: Direction;
  /** 1 or more; how many relations away from the start to go. */
  depth: number;
  /** Only these relation types (all when unset). */
  types?: readonly string[];
  /** Stop after this many CIs (the start included); `truncated` says when it did. */
  limit?: number;
}

export interface Topology {
  root: string;
  /** Every CI reached, with its distance from the root. */
  nodes: Array<{ ci: CiRecord; depth: number }>;
  /** Every relation walked (both ends are in `nodes`). */
  edges: RelationRecord[];
  truncated: boolean;
}

const DEFAULT_LIMIT = 5000;

/** Breadth-first walk from `root`. */
export function traverse(graph: CmdbGraph, root: string, request: TraversalRequest): Topology {
  const start = graph.ci(root);
  if (!start) throw new RangeError(`no CI ${root}`);
  const types = request.types ? new Set(request.types) : undefined;
  const limit = request.limit ?? DEFAULT_LIMIT;
  const depthOf = new Map<string, number>([[root, 0]]);
  const nodes = [{ ci: start, depth: 0 }];
  const edges = new Map<string, RelationRecord>();
  let frontier = [root];
  let truncated = false;
  for (let depth = 1; depth <= request.depth && frontier.length > 0 && !truncated; depth++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const relation of neighbours(graph, id, request.direction, types)) {
        const other = relation.source === id ? relation.target : relation.source;
        const ci = graph.ci(other);
        if (!ci) continue;
        if (!depthOf.has(other)) {
          if (nodes.length >= limit) {
            truncated = true;
            break;
          }
          depthOf.set(other, depth);
          nodes.push({ ci, depth });
          next.push(other);
        }
        edges.set(relation.id, relation);
      }
      if (truncated) break;
    }
    frontier = next;
  }
  return { root, nodes, edges: [...edges.values()], truncated };
}

function neighbours(graph: CmdbGraph, id: string, direction: Direction, types?: ReadonlySet<string>): RelationRecord[] {
  if (direction === 'downstream') return graph.relationsOf(id, 'out', types);
  if (direction === 'upstream') return graph.relationsOf(id, 'in', types);
  return [...graph.relationsOf(id, 'out', types), ...graph.relationsOf(id, 'in', types)];
}

export type Effect = 'down' | 'degraded';

export interface ImpactedCi {
  ci: CiRecord;
  effect: Effect;
  /** Relations from the failing CI, shortest first found. */
  depth: number;
  /** The relation the failure arrived by (null for the failing CIs themselves). */
  via: RelationRecord | null;
}

export interface Impact {
  failing: string[];
  impacted: ImpactedCi[];
  /** Impacted CIs of these classes (and subclasses), e.g. applications and business systems. */
  highlights: Record<string, ImpactedCi[]>;
  truncated: boolean;
}

export interface ImpactRequest {
  /** The CIs that fail (one, or several at once as in an outage). */
  failing: readonly string[];
  depth: number;
  /** Classes to list separately in `highlights`. */
  highlight?: readonly string[];
  limit?: number;
}

const RANK: Record<Effect, number> = { degraded: 1, down: 2 };

/** What fails, or degrades, when `failing` fail. */
export function impactOf(graph: CmdbGraph, model: ResolvedModel, request: ImpactRequest): Impact {
  const limit = request.limit ?? DEFAULT_LIMIT;
  const state = new Map<string, ImpactedCi>();
  const queue: string[] = [];
  for (const id of request.failing) {
    const ci = graph.ci(id);
    if (!ci) throw new RangeError(`no CI ${id}`);
    state.set(id, { ci, effect: 'down', depth: 0, via: null });
    queue.push(id);
  }
  let truncated = false;
  for (let head = 0; head < queue.length; head++) {
    const from = state.get(queue[head]!)!;
    if (from.depth >= request.depth) continue;
    for (const { relation, next } of propagations(graph, model, from.ci.id)) {
      const ci = graph.ci(next);
      if (!ci) continue;
      const type = model.relationTypes.get(relation.type)!;
      const effect: Effect = from.effect === 'down' && (!type.redundant || allSiblingsDown(graph, relation, next, state)) ? 'down' : 'degraded';
      const held = state.get(next);
      if (held && RANK[held.effect] >= RANK[effect]) continue;
      if (!held && state.size >= limit) {
        truncated = true;
        continue;
      }
      state.set(next, { ci, effect, depth: held?.depth ?? from.depth + 1, via: held?.via ?? relation });
      queue.push(next);
    }
  }
  const impacted = [...state.values()].sort((a, b) => a.depth - b.depth || a.ci.id.localeCompare(b.ci.id));
  const highlights: Record<string, ImpactedCi[]> = {};
  for (const cls of request.highlight ?? []) {
    const classes = model.descendants.get(cls) ?? new Set<string>();
    highlights[cls] = impacted.filter((entry) => entry.depth > 0 && classes.has(entry.ci.class));
  }
  return { failing: [...request.failing], impacted, highlights, truncated };
}

/** The relations along which a failure of `id` travels, and the CI it reaches. */
function* propagations(graph: CmdbGraph, model: ResolvedModel, id: string): Generator<{ relation: RelationRecord; next: string }> {
  for (const relation of graph.relationsOf(id, 'in')) {
    if (model.relationTypes.get(relation.type)?.propagates === 'to_source') yield { relation, next: relation.source };
  }
  for (const relation of graph.relationsOf(id, 'out')) {
    if (model.relationTypes.get(relation.type)?.propagates === 'to_target') yield { relation, next: relation.target };
  }
}

/** For a redundant relation reaching `group`: whether every other member of its kind is down too. */
function allSiblingsDown(graph: CmdbGraph, relation: RelationRecord, group: string, state: Map<string, ImpactedCi>): boolean {
  const types = new Set([relation.type]);
  // The members sit at the end the failure came from.
  const members = relation.target === group ? graph.relationsOf(group, 'in', types).map((r) => r.source) : graph.relationsOf(group, 'out', types).map((r) => r.target);
  return members.every((member) => state.get(member)?.effect === 'down' || graph.ci(member)?.attributes.lifecycle === 'retired');
}

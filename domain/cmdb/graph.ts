/**
 * The CMDB as an in-memory graph: CIs, relations, and the indexes selectors and traversals
 * need (CIs by class, relations by end). Each process keeps one, fed from the store's
 * change log (store/cmdb/index.ts). Writes are last-writer-wins by version per CI and per
 * relation, so applying the same change twice, or changes out of order, gives one result.
 */

import type { Attributes } from './attributes';
import { cidrContains, parseCidr, parseIpCached, type Cidr } from './ip';

/** The class that holds subnet-to-zone rules, and the attributes the rules read. */
export const ZONE_CLASS = 'zone';
export const ZONE_SUBNETS = 'subnets';
export const PRIMARY_IP = 'primary_ip';

export interface CiRecord {
  id: string;
  class: string;
  /** Every attribute of the class (null or [] when empty); `name`, `owner_group`, `environment`, `lifecycle`, `zone` on every CI. */
  attributes: Attributes;
  tags: string[];
  /** Which source last set each attribute (manual, import, ssh, snmp, sync): reconciliation weighs them. */
  sources: Record<string, string>;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Hard-deleted (admins only): kept as a tombstone so an older version is never applied again. */
  deleted?: boolean;
}

export interface RelationRecord {
  /** `<type>:<source>:<target>`: one relation of a type between two CIs. */
  id: string;
  type: string;
  source: string;
  target: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** Removed relations stay (with their history) and are skipped by every traversal. */
  deleted?: boolean;
}

export function relationId(type: string, source: string, target: string): string {
  return `${type}:${source}:${target}`;
}

const EMPTY: ReadonlySet<string> = new Set();

/** What validation needs of a graph: the graph itself, or a graph plus pending writes (imports). */
export interface GraphView {
  ci(id: string): CiRecord | undefined;
  relationsOf(id: string, direction: 'out' | 'in', types?: ReadonlySet<string>): RelationRecord[];
}

/** The keys an attribute value is found by: text (lowercased) and numbers, one per list element. */
function valueKeys(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.filter((v) => typeof v === 'string' || typeof v === 'number').map((v) => String(v).toLowerCase());
}

export class CmdbGraph implements GraphView {
  private readonly cis = new Map<string, CiRecord>();
  private readonly relations = new Map<string, RelationRecord>();
  private readonly byClass = new Map<string, Set<string>>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly outgoing = new Map<string, Set<string>>();
  private readonly incoming = new Map<string, Set<string>>();
  /** attribute → value key → CI ids, for the attributes looked up so far (idsWhere). */
  private readonly attributeIndexes = new Map<string, Map<string, Set<string>>>();
  private zoneRules: Array<{ cidr: Cidr; zone: string }> | null = null;
  private readonly zoneCache = new Map<string, string | null>();

  get ciCount(): number {
    return this.cis.size;
  }

  get relationCount(): number {
    return this.relations.size;
  }

  /** Applies a CI version; an older or equal version than the one held is ignored. */
  putCi(ci: CiRecord): boolean {
    const held = this.cis.get(ci.id);
    if (held && held.version >= ci.version) return false;
    if (held) {
      this.byClass.get(held.class)?.delete(held.id);
      for (const tag of held.tags) this.byTag.get(tag)?.delete(held.id);
      for (const [attribute, index] of this.attributeIndexes) for (const key of valueKeys(held.attributes[attribute])) index.get(key)?.delete(held.id);
    }
    this.cis.set(ci.id, ci);
    if (!ci.deleted) {
      addTo(this.byClass, ci.class, ci.id);
      for (const tag of ci.tags) addTo(this.byTag, tag, ci.id);
      for (const [attribute, index] of this.attributeIndexes) for (const key of valueKeys(ci.attributes[attribute])) addTo(index, key, ci.id);
    }
    if (ci.class === ZONE_CLASS || held?.class === ZONE_CLASS) {
      this.zoneRules = null;
      this.zoneCache.clear();
    } else {
      this.zoneCache.delete(ci.id);
    }
    return true;
  }

  putRelation(relation: RelationRecord): boolean {
    const held = this.relations.get(relation.id);
    if (held && held.version >= relation.version) return false;
    this.relations.set(relation.id, relation);
    if (relation.deleted) {
      this.outgoing.get(relation.source)?.delete(relation.id);
      this.incoming.get(relation.target)?.delete(relation.id);
    } else {
      addTo(this.outgoing, relation.source, relation.id);
      addTo(this.incoming, relation.target, relation.id);
    }
    return true;
  }

  /** A CI that exists (not hard-deleted), or undefined. */
  ci(id: string): CiRecord | undefined {
    const ci = this.cis.get(id);
    return ci && !ci.deleted ? ci : undefined;
  }

  /** Whatever is held for the id, tombstones included (version checks). */
  held(id: string): CiRecord | undefined {
    return this.cis.get(id);
  }

  relation(id: string): RelationRecord | undefined {
    return this.relations.get(id);
  }

  /** Live relations where `id` is the source (`out`) or the target (`in`), optionally of some types. */
  relationsOf(id: string, direction: 'out' | 'in', types?: ReadonlySet<string>): RelationRecord[] {
    const ids = (direction === 'out' ? this.outgoing : this.incoming).get(id) ?? EMPTY;
    const found: RelationRecord[] = [];
    for (const rid of ids) {
      const relation = this.relations.get(rid)!;
      if (!types || types.has(relation.type)) found.push(relation);
    }
    return found;
  }

  /** Ids of the CIs of exactly these classes. */
  *idsOfClasses(classes: Iterable<string>): Generator<string> {
    for (const cls of classes) yield* this.byClass.get(cls) ?? EMPTY;
  }

  /** Ids of the CIs carrying a tag. */
  idsTagged(tag: string): ReadonlySet<string> {
    return this.byTag.get(tag) ?? EMPTY;
  }

  /**
   * Live CIs whose `attribute` is `value` (or, for a list, holds it); text compares without
   * case. An attribute is indexed on its first lookup and kept up to date from then on.
   */
  idsWhere(attribute: string, value: string): ReadonlySet<string> {
    let index = this.attributeIndexes.get(attribute);
    if (!index) {
      index = new Map();
      for (const ci of this.cis.values()) if (!ci.deleted) for (const key of valueKeys(ci.attributes[attribute])) addTo(index, key, ci.id);
      this.attributeIndexes.set(attribute, index);
    }
    return index.get(value.toLowerCase()) ?? EMPTY;
  }

  *allCis(): Generator<CiRecord> {
    for (const ci of this.cis.values()) if (!ci.deleted) yield ci;
  }

  *allRelations(): Generator<RelationRecord> {
    for (const relation of this.relations.values()) if (!relation.deleted) yield relation;
  }

  /**
   * The CI's zone: its own `zone` attribute, else the zone whose subnets contain its
   * primary IP (the most specific subnet wins), else null.
   */
  zoneOf(ci: CiRecord): string | null {
    const own = ci.attributes.zone;
    if (typeof own === 'string' && own !== '') return own;
    if (this.zoneCache.has(ci.id)) return this.zoneCache.get(ci.id)!;
    const zone = this.zoneForIp(ci.attributes[PRIMARY_IP]);
    this.zoneCache.set(ci.id, zone);
    return zone;
  }

  /** The zone a subnet rule gives an address (most specific subnet first). */
  zoneForIp(value: unknown): string | null {
    const ip = typeof value === 'string' ? parseIpCached(value) : null;
    if (!ip) return null;
    for (const rule of this.rules()) if (cidrContains(rule.cidr, ip)) return rule.zone;
    return null;
  }

  private rules(): Array<{ cidr: Cidr; zone: string }> {
    if (this.zoneRules) return this.zoneRules;
    const rules: Array<{ cidr: Cidr; zone: string }> = [];
    for (const id of this.byClass.get(ZONE_CLASS) ?? EMPTY) {
      const zone = this.cis.get(id)!;
      const subnets = zone.attributes[ZONE_SUBNETS];
      const name = zone.attributes.name;
      if (!Array.isArray(subnets) || typeof name !== 'string' || zone.attributes.lifecycle === 'retired') continue;
      for (const subnet of subnets) {
        const cidr = typeof subnet === 'string' ? parseCidr(subnet) : null;
        if (cidr) rules.push({ cidr, zone: name });
      }
    }
    rules.sort((a, b) => b.cidr.prefixLength - a.cidr.prefixLength || a.zone.localeCompare(b.zone));
    this.zoneRules = rules;
    return rules;
  }
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

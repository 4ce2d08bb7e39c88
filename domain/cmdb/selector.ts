/**
 * The CI selector language: how the CMDB is queried, how runbooks pick their targets and
 * how alert rules match CIs. One definition, here; documented in docs/cmdb.md#selectors.
 *
 *   class: host                      # a class or a list; subclasses included
 *   where:                           # every condition must hold
 *     zone: dc-a                     # equality (zone: the CI's own, else from subnet rules)
 *     environment: { in: [prod, test] }
 *     cpu_count: { gte: 4 }
 *     hostname: { matches: '^web-' }
 *     primary_ip: { within: 10.1.0.0/16 }
 *   tags: [pci]                      # all of these tags
 *   related:                         # every relation condition must hold
 *     - type: runs_on                # a type or a list; omit for any
 *       direction: in                # in: this CI is the target; out: the source
 *       to: { class: instance, related: [{ type: member_of, direction: out, to: { class: application, where: { name: payments } } }] }
 *   any: [ <selector>, ... ]         # at least one must match (OR)
 *   not: <selector>
 *   ids: [ci-…]                      # an explicit list
 *   includeRetired: false            # retired CIs are left out unless this is true
 *
 * A selector is checked against the model before it runs (`checkSelector`), so a typo in
 * an attribute name is an error, not an empty result.
 */

import { checkValue } from './attributes';
import { type CiRecord, type CmdbGraph, type RelationRecord } from './graph';
import { cidrContains, parseCidr, parseIpCached } from './ip';
import type { AttributeDefinition, ResolvedModel } from './model';

type Scalar = string | number | boolean;

export interface Operators {
  eq?: Scalar | null;
  ne?: Scalar | null;
  in?: Scalar[];
  nin?: Scalar[];
  gt?: Scalar;
  gte?: Scalar;
  lt?: Scalar;
  lte?: Scalar;
  /** A regular expression, searched (not anchored) in the text value. */
  matches?: string;
  exists?: boolean;
  /** Lists: holds when the list contains the value. */
  contains?: Scalar;
  /** IP attributes: inside this CIDR network. */
  within?: string;
}

export type Condition = Scalar | null | Operators;

export interface RelationCondition {
  type?: string | string[];
  /** `out`: the selected CI is the relation's source; `in`: its target. */
  direction: 'out' | 'in';
  /** The CI at the other end must match this; omit for any CI. */
  to?: Selector;
}

export interface Selector {
  class?: string | string[];
  ids?: string[];
  where?: Record<string, Condition>;
  tags?: string[];
  related?: RelationCondition[];
  any?: Selector[];
  not?: Selector;
  includeRetired?: boolean;
}

export interface SelectorIssue {
  path: string;
  message: string;
}

const OPERATORS = new Set(['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'matches', 'exists', 'contains', 'within']);
const SELECTOR_KEYS = new Set(['class', 'ids', 'where', 'tags', 'related', 'any', 'not', 'includeRetired']);
/** Nesting deeper than this is a mistake, and bounds the work a selector can ask for. */
const MAX_DEPTH = 8;

const listOf = <T>(value: T | T[] | undefined): T[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
const isOperators = (condition: Condition): condition is Operators => typeof condition === 'object' && condition !== null && !Array.isArray(condition);

// ---------------------------------------------------------------- checking

/** Every problem of a selector against the model; empty when it can run. */
export function checkSelector(selector: unknown, model: ResolvedModel, path = 'selector', depth = 0): SelectorIssue[] {
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) return [{ path, message: 'must be an object (an empty one selects every CI)' }];
  if (depth > MAX_DEPTH) return [{ path, message: `nests deeper than ${MAX_DEPTH} levels` }];
  const s = selector as Record<string, unknown>;
  const issues: SelectorIssue[] = [];
  for (const key of Object.keys(s)) if (!SELECTOR_KEYS.has(key)) issues.push({ path: `${path}.${key}`, message: `unknown key; a selector has ${[...SELECTOR_KEYS].join(', ')}` });
  const classes = listOf(s.class as string | string[] | undefined);
  for (const cls of classes ?? []) if (typeof cls !== 'string' || !model.classes.has(cls)) issues.push({ path: `${path}.class`, message: `no class ${JSON.stringify(cls)}` });
  if (s.ids !== undefined && (!Array.isArray(s.ids) || !s.ids.every((id) => typeof id === 'string'))) issues.push({ path: `${path}.ids`, message: 'must be a list of CI ids' });
  if (s.tags !== undefined && (!Array.isArray(s.tags) || !s.tags.every((t) => typeof t === 'string'))) issues.push({ path: `${path}.tags`, message: 'must be a list of tags' });
  if (s.includeRetired !== undefined && typeof s.includeRetired !== 'boolean') issues.push({ path: `${path}.includeRetired`, message: 'must be true or false' });
  if (s.where !== undefined) issues.push(...checkWhere(s.where, attributesIn(model, classes), `${path}.where`));
  if (s.related !== undefined) {
    if (!Array.isArray(s.related)) issues.push({ path: `${path}.related`, message: 'must be a list of relation conditions' });
    else for (const [i, r] of s.related.entries()) issues.push(...checkRelated(r, model, `${path}.related[${i}]`, depth));
  }
  if (s.any !== undefined) {
    if (!Array.isArray(s.any) || s.any.length === 0) issues.push({ path: `${path}.any`, message: 'must be a non-empty list of selectors' });
    else for (const [i, sub] of s.any.entries()) issues.push(...checkSelector(sub, model, `${path}.any[${i}]`, depth + 1));
  }
  if (s.not !== undefined) issues.push(...checkSelector(s.not, model, `${path}.not`, depth + 1));
  return issues;
}

/** The attributes a `where` may name: those of the given classes, or of any class. */
function attributesIn(model: ResolvedModel, classes: unknown[] | undefined): Map<string, AttributeDefinition> {
  const found = new Map<string, AttributeDefinition>();
  const names = classes?.every((c) => typeof c === 'string' && model.classes.has(c)) ? (classes as string[]).flatMap((c) => [...model.descendants.get(c)!]) : [...model.classes.keys()];
  for (const name of names) for (const [attribute, spec] of Object.entries(model.classes.get(name)!.attributes)) if (!found.has(attribute)) found.set(attribute, spec);
  return found;
}

function checkWhere(where: unknown, attributes: Map<string, AttributeDefinition>, path: string): SelectorIssue[] {
  if (typeof where !== 'object' || where === null || Array.isArray(where)) return [{ path, message: 'must map attribute names to conditions' }];
  const issues: SelectorIssue[] = [];
  for (const [attribute, condition] of Object.entries(where)) {
    const spec = attributes.get(attribute);
    const at = `${path}.${attribute}`;
    if (!spec) {
      issues.push({ path: at, message: `no such attribute in the selected classes` });
      continue;
    }
    if (Array.isArray(condition)) {
      issues.push({ path: at, message: 'a list is ambiguous here: use { in: [...] } for any of, or { contains: x } for list attributes' });
      continue;
    }
    if (!isOperators(condition as Condition)) continue;
    for (const [op, operand] of Object.entries(condition as Record<string, unknown>)) issues.push(...checkOperator(op, operand, spec, `${at}.${op}`));
  }
  return issues;
}

function checkOperator(op: string, operand: unknown, spec: AttributeDefinition, path: string): SelectorIssue[] {
  if (!OPERATORS.has(op)) return [{ path, message: `unknown operator; use one of ${[...OPERATORS].join(', ')}` }];
  if ((op === 'in' || op === 'nin') && !Array.isArray(operand)) return [{ path, message: 'must be a list of values' }];
  if (op === 'exists' && typeof operand !== 'boolean') return [{ path, message: 'must be true or false' }];
  if (op === 'matches') {
    if (typeof operand !== 'string') return [{ path, message: 'must be a regular expression' }];
    try {
      new RegExp(operand);
    } catch (error) {
      return [{ path, message: `not a valid regular expression: ${(error as Error).message}` }];
    }
  }
  if (op === 'within' && (spec.type !== 'ip' || typeof operand !== 'string' || !parseCidr(operand))) return [{ path, message: 'is for ip attributes, with a network such as 10.1.0.0/16' }];
  if (op === 'contains' && !spec.list) return [{ path, message: 'is for list attributes' }];
  if (['gt', 'gte', 'lt', 'lte'].includes(op) && !['integer', 'number', 'date', 'string'].includes(spec.type)) return [{ path, message: `cannot order values of type ${spec.type}` }];
  return [];
}

function checkRelated(condition: unknown, model: ResolvedModel, path: string, depth: number): SelectorIssue[] {
  if (typeof condition !== 'object' || condition === null) return [{ path, message: 'must be an object with direction (in or out), and optionally type and to' }];
  const c = condition as Record<string, unknown>;
  const issues: SelectorIssue[] = [];
  for (const key of Object.keys(c)) if (!['type', 'direction', 'to'].includes(key)) issues.push({ path: `${path}.${key}`, message: 'unknown key; a relation condition has type, direction and to' });
  if (c.direction !== 'in' && c.direction !== 'out') issues.push({ path: `${path}.direction`, message: "must be 'out' (the selected CI is the source) or 'in' (it is the target)" });
  for (const type of listOf(c.type as string | string[] | undefined) ?? []) if (!model.relationTypes.has(type)) issues.push({ path: `${path}.type`, message: `no relation type ${JSON.stringify(type)}` });
  if (c.to !== undefined) issues.push(...checkSelector(c.to, model, `${path}.to`, depth + 1));
  return issues;
}

// ---------------------------------------------------------------- evaluation

export interface SelectorContext {
  graph: CmdbGraph;
  model: ResolvedModel;
}

/** The value a condition compares: attributes, with `zone` resolved through subnet rules. */
function valueOf(ci: CiRecord, attribute: string, graph: CmdbGraph): unknown {
  return attribute === 'zone' ? graph.zoneOf(ci) : ci.attributes[attribute];
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

function scalarEquals(value: unknown, operand: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => v === operand);
  return (value ?? null) === (operand ?? null);
}

function operatorTest(op: keyof Operators, operand: unknown, spec: AttributeDefinition | undefined): (value: unknown) => boolean {
  // Operands are normalized like stored values, so `10.0.0.01`-style spellings and dates compare.
  const normal = (x: unknown) => (spec && x !== null && typeof x !== 'object' ? ((r) => (r.ok ? r.value : x))(checkValue(x, spec)) : x);
  switch (op) {
    case 'eq':
      return (v) => scalarEquals(v, normal(operand));
    case 'ne':
      return (v) => !scalarEquals(v, normal(operand));
    case 'in': {
      const set = (operand as unknown[]).map(normal);
      return (v) => set.some((x) => scalarEquals(v, x));
    }
    case 'nin': {
      const set = (operand as unknown[]).map(normal);
      return (v) => !set.some((x) => scalarEquals(v, x));
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const bound = normal(operand);
      const ok = { gt: (c: number) => c > 0, gte: (c: number) => c >= 0, lt: (c: number) => c < 0, lte: (c: number) => c <= 0 }[op];
      return (v) => {
        const c = compare(v, bound);
        return c !== null && ok(c);
      };
    }
    case 'matches': {
      const regex = new RegExp(operand as string);
      return (v) => (Array.isArray(v) ? v.some((x) => regex.test(String(x))) : v !== null && v !== undefined && regex.test(String(v)));
    }
    case 'exists':
      return (v) => (v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) === operand;
    case 'contains': {
      const x = normal(operand);
      return (v) => Array.isArray(v) && v.includes(x as never);
    }
    case 'within': {
      const cidr = parseCidr(operand as string)!;
      return (v) => {
        const ip = typeof v === 'string' ? parseIpCached(v) : null;
        return ip !== null && cidrContains(cidr, ip);
      };
    }
  }
}

type CiTest = (ci: CiRecord) => boolean;

function whereTest(where: Record<string, Condition>, ctx: SelectorContext, classes: string[] | undefined): CiTest {
  const specs = attributesIn(ctx.model, classes);
  const tests: CiTest[] = [];
  for (const [attribute, condition] of Object.entries(where)) {
    const spec = specs.get(attribute);
    const ops: Array<[keyof Operators, unknown]> = isOperators(condition) ? (Object.entries(condition) as Array<[keyof Operators, unknown]>) : [['eq', condition]];
    for (const [op, operand] of ops) {
      const test = operatorTest(op, operand, spec);
      tests.push((ci) => test(valueOf(ci, attribute, ctx.graph)));
    }
  }
  return (ci) => tests.every((t) => t(ci));
}

/**
 * The ids of the CIs a selector selects. Relation conditions are evaluated from the other
 * end: the CIs matching `to` are found first and their neighbours become the candidates,
 * so "hosts running application X" touches X's instances and hosts, not every host.
 */
export function select(selector: Selector, ctx: SelectorContext): Set<string> {
  const classes = listOf(selector.class);
  let candidates: Iterable<string> | null = selector.ids ?? null;
  // The rarest tag narrows the candidates first; the tests below still check every tag.
  if (selector.tags?.length) {
    const rarest = selector.tags.map((t) => ctx.graph.idsTagged(t)).sort((a, b) => a.size - b.size)[0]!;
    candidates = candidates === null ? rarest : [...candidates].filter((id) => rarest.has(id));
  }
  for (const condition of selector.related ?? []) {
    const neighbours = relatedCandidates(condition, ctx);
    candidates = candidates === null ? neighbours : [...candidates].filter((id) => neighbours.has(id));
  }
  if (classes) {
    const allowed = new Set(classes.flatMap((c) => [...(ctx.model.descendants.get(c) ?? [])]));
    candidates = candidates === null ? ctx.graph.idsOfClasses(allowed) : [...candidates].filter((id) => allowed.has(ctx.graph.ci(id)?.class ?? ''));
  }
  const tests: CiTest[] = [];
  if (!selector.includeRetired) tests.push((ci) => ci.attributes.lifecycle !== 'retired');
  if (selector.where) tests.push(whereTest(selector.where, ctx, classes));
  if (selector.tags?.length) tests.push((ci) => selector.tags!.every((t) => ci.tags.includes(t)));
  if (selector.any) {
    const sets = selector.any.map((sub) => select({ includeRetired: true, ...sub }, ctx));
    tests.push((ci) => sets.some((s) => s.has(ci.id)));
  }
  if (selector.not) {
    const excluded = select({ includeRetired: true, ...selector.not }, ctx);
    tests.push((ci) => !excluded.has(ci.id));
  }
  const selected = new Set<string>();
  for (const id of candidates ?? [...ctx.graph.allCis()].map((ci) => ci.id)) {
    const ci = ctx.graph.ci(id);
    if (ci && tests.every((t) => t(ci))) selected.add(id);
  }
  return selected;
}

/** CIs with a relation of the condition's type and direction to a CI that matches `to`. */
function relatedCandidates(condition: RelationCondition, ctx: SelectorContext): Set<string> {
  const types = listOf(condition.type);
  const typeSet = types ? new Set(types) : undefined;
  const others = condition.to ? select(condition.to, ctx) : new Set([...ctx.graph.allCis()].map((ci) => ci.id));
  // The selected CI is the source (out): walk from the matching targets back along incoming relations.
  const back = condition.direction === 'out' ? 'in' : 'out';
  const found = new Set<string>();
  for (const other of others) {
    for (const relation of ctx.graph.relationsOf(other, back, typeSet)) found.add(endAway(relation, other));
  }
  return found;
}

const endAway = (relation: RelationRecord, from: string) => (relation.source === from ? relation.target : relation.source);

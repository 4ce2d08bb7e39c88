/**
 * The CMDB model as data: CI classes (with single inheritance of attributes) and relation
 * types. Shipped under catalog/cmdb/, editable through the API. This file holds the
 * definitions and `resolveModel`, which checks a model as a whole (parents exist, no
 * cycles, references and relation ends name real classes, defaults obey their own rules)
 * and flattens inheritance. See docs/cmdb.md.
 */

import { defaultIssues } from './attributes';

export const ATTRIBUTE_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'enum', 'ip', 'cidr', 'url', 'reference'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export const CARDINALITIES = ['one_to_one', 'one_to_many', 'many_to_one', 'many_to_many'] as const;
export type Cardinality = (typeof CARDINALITIES)[number];

/**
 * Which way a failure travels along a relation, for impact analysis. `to_source`: when the
 * target fails, the source is affected (an instance runs_on a host). `to_target`: when the
 * source fails, the target is affected (a rack contains a server; a member of a service).
 */
export const PROPAGATIONS = ['to_source', 'to_target', 'none'] as const;
export type Propagation = (typeof PROPAGATIONS)[number];

export const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export interface AttributeDefinition {
  type: AttributeType;
  /** A list of values of `type`. */
  list?: boolean;
  label?: string;
  description?: string;
  required?: boolean;
  /** No two CIs of the class (and its subclasses) share the value. */
  unique?: boolean;
  default?: unknown;
  /** A regular expression a string value must match as a whole. */
  pattern?: string;
  /** Numbers: the value's range; strings: their length. */
  min?: number;
  max?: number;
  /** `enum`: the allowed values. */
  values?: string[];
  /** `reference`: the class the referenced CI must be (or descend from). */
  class?: string;
  /**
   * Which sources may set the value, strongest first (reconciliation). A source not
   * listed never overwrites a value set by a listed one. Unset: the model default.
   */
  sourcePriority?: string[];
}

export interface ClassDefinition {
  label: string;
  description?: string;
  /** The class this one extends; its attributes are inherited. Only the root has none. */
  parent?: string;
  /** An abstract class only groups others: no CI has it as its class. */
  abstract?: boolean;
  attributes?: Record<string, AttributeDefinition>;
  /**
   * Identification rules, tried in order: the first rule whose attributes all have values
   * identifies the CI (e.g. serial number; else host name and domain; else primary IP).
   * Inherited when unset.
   */
  identification?: string[][];
}

export interface RelationTypeDefinition {
  label: string;
  /** How the relation reads from the target's side ("hosts" for runs_on). */
  inverseLabel: string;
  description?: string;
  /** Classes allowed at each end (subclasses included). */
  sources: string[];
  targets: string[];
  /** many_to_one: a source has at most one target of this type (an instance runs on one host). */
  cardinality: Cardinality;
  propagates: Propagation;
  /**
   * A failure of one end makes the other only degraded while a sibling is still up
   * (members of a cluster or service): the group fails when all its members fail.
   */
  redundant?: boolean;
}

export interface CmdbModel {
  /** The default `sourcePriority` of every attribute, strongest first. */
  sourcePriority: string[];
  classes: Record<string, ClassDefinition>;
  relationTypes: Record<string, RelationTypeDefinition>;
}

/** A class with its inheritance flattened. */
export interface ResolvedClass {
  name: string;
  label: string;
  description?: string;
  abstract: boolean;
  parent: string | null;
  /** Root first, ending with this class. */
  lineage: string[];
  /** Inherited first, in definition order. */
  attributes: Record<string, AttributeDefinition>;
  /** Where each attribute is defined (the class that introduced it). */
  definedIn: Record<string, string>;
  identification: string[][];
  /** The class whose rules these are: identification keys are unique among its CIs and its subclasses'. */
  identificationScope: string;
}

export interface ResolvedModel {
  definition: CmdbModel;
  sourcePriority: string[];
  classes: Map<string, ResolvedClass>;
  relationTypes: Map<string, RelationTypeDefinition & { name: string }>;
  /** Every class and its descendants (itself included). */
  descendants: Map<string, Set<string>>;
}

export interface ModelIssue {
  /** `classes.host.attributes.cpu_count.min`. */
  path: string;
  message: string;
}

export class CmdbModelError extends Error {
  override readonly name = 'CmdbModelError';
  constructor(readonly issues: ModelIssue[]) {
    super(`the CMDB model is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
  }
}

/** Checks and flattens a model; throws CmdbModelError listing every problem. */
export function resolveModel(model: CmdbModel): ResolvedModel {
  const issues: ModelIssue[] = [];
  const classes = new Map<string, ResolvedClass>();
  for (const name of Object.keys(model.classes)) resolveClass(model, name, classes, issues, []);
  const descendants = new Map<string, Set<string>>();
  for (const cls of classes.values()) {
    for (const ancestor of cls.lineage) {
      let set = descendants.get(ancestor);
      if (!set) descendants.set(ancestor, (set = new Set()));
      set.add(cls.name);
    }
  }
  for (const cls of classes.values()) checkClass(cls, model, issues);
  const relationTypes = new Map<string, RelationTypeDefinition & { name: string }>();
  for (const [name, type] of Object.entries(model.relationTypes)) {
    if (!NAME_PATTERN.test(name)) issues.push({ path: `relationTypes.${name}`, message: 'a name is lower-case letters, digits and _, starting with a letter' });
    for (const end of ['sources', 'targets'] as const) {
      if (type[end].length === 0) issues.push({ path: `relationTypes.${name}.${end}`, message: 'must list at least one class' });
      for (const [i, cls] of type[end].entries()) if (!model.classes[cls]) issues.push({ path: `relationTypes.${name}.${end}[${i}]`, message: `no class '${cls}'` });
    }
    relationTypes.set(name, { ...type, name });
  }
  if (issues.length > 0) throw new CmdbModelError(issues);
  return { definition: model, sourcePriority: model.sourcePriority, classes, relationTypes, descendants };
}

function resolveClass(model: CmdbModel, name: string, done: Map<string, ResolvedClass>, issues: ModelIssue[], chain: string[]): ResolvedClass | null {
  const existing = done.get(name);
  if (existing) return existing;
  const definition = model.classes[name]!;
  if (chain.includes(name)) {
    issues.push({ path: `classes.${name}.parent`, message: `inheritance cycle: ${[...chain, name].join(' → ')}` });
    return null;
  }
  if (!NAME_PATTERN.test(name)) issues.push({ path: `classes.${name}`, message: 'a name is lower-case letters, digits and _, starting with a letter' });
  let parent: ResolvedClass | null = null;
  if (definition.parent !== undefined) {
    if (!model.classes[definition.parent]) {
      issues.push({ path: `classes.${name}.parent`, message: `no class '${definition.parent}'` });
      return null;
    }
    parent = resolveClass(model, definition.parent, done, issues, [...chain, name]);
    if (!parent) return null;
  }
  const attributes = { ...(parent?.attributes ?? {}) };
  const definedIn = { ...(parent?.definedIn ?? {}) };
  for (const [attribute, spec] of Object.entries(definition.attributes ?? {})) {
    if (attributes[attribute]) {
      // Redefining would change what existing CIs of the parent class mean.
      issues.push({ path: `classes.${name}.attributes.${attribute}`, message: `already defined by '${definedIn[attribute]}'; a subclass cannot redefine an inherited attribute` });
      continue;
    }
    attributes[attribute] = spec;
    definedIn[attribute] = name;
  }
  const resolved: ResolvedClass = {
    name,
    label: definition.label,
    description: definition.description,
    abstract: definition.abstract === true,
    parent: definition.parent ?? null,
    lineage: [...(parent?.lineage ?? []), name],
    attributes,
    definedIn,
    ...identificationOf(name, definition, parent, attributes),
  };
  done.set(name, resolved);
  return resolved;
}

/**
 * Rules a class defines apply to it and its subclasses as one scope (a host found as a VM
 * and imported as a physical server is one CI). A class that no ancestor gave rules is
 * identified by its name, within the class itself.
 */
function identificationOf(name: string, definition: ClassDefinition, parent: ResolvedClass | null, attributes: Record<string, AttributeDefinition>) {
  if (definition.identification) return { identification: definition.identification, identificationScope: name };
  if (parent && parent.identification.length > 0 && parent.identification !== NAME_RULE) return { identification: parent.identification, identificationScope: parent.identificationScope };
  return { identification: attributes.name ? NAME_RULE : [], identificationScope: name };
}

const NAME_RULE = [['name']];

function checkClass(cls: ResolvedClass, model: CmdbModel, issues: ModelIssue[]): void {
  for (const [attribute, spec] of Object.entries(model.classes[cls.name]!.attributes ?? {})) {
    if (cls.definedIn[attribute] !== cls.name) continue;
    const at = `classes.${cls.name}.attributes.${attribute}`;
    if (!NAME_PATTERN.test(attribute)) issues.push({ path: at, message: 'a name is lower-case letters, digits and _, starting with a letter' });
    for (const message of attributeDefinitionIssues(spec, model)) issues.push({ path: at, message });
  }
  for (const [i, rule] of cls.identification.entries()) {
    if (rule.length === 0) issues.push({ path: `classes.${cls.name}.identification[${i}]`, message: 'must name at least one attribute' });
    for (const attribute of rule) {
      const spec = cls.attributes[attribute];
      if (!spec) issues.push({ path: `classes.${cls.name}.identification[${i}]`, message: `no attribute '${attribute}' in class '${cls.name}'` });
      else if (spec.list) issues.push({ path: `classes.${cls.name}.identification[${i}]`, message: `'${attribute}' is a list; identify by single values` });
    }
  }
}

function attributeDefinitionIssues(spec: AttributeDefinition, model: CmdbModel): string[] {
  const issues: string[] = [];
  if (spec.type === 'enum' && (spec.values ?? []).length === 0) issues.push('an enum lists its values');
  if (spec.type !== 'enum' && spec.values !== undefined) issues.push(`'values' is only for enums`);
  if (spec.type === 'reference' && (!spec.class || !model.classes[spec.class])) issues.push(spec.class ? `no class '${spec.class}' to reference` : `a reference names the class it points to ('class')`);
  if (spec.type !== 'reference' && spec.class !== undefined) issues.push(`'class' is only for references`);
  if (spec.pattern !== undefined) {
    if (spec.type !== 'string') issues.push('a pattern is only for strings');
    try {
      new RegExp(spec.pattern);
    } catch (error) {
      issues.push(`the pattern is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  if ((spec.min !== undefined || spec.max !== undefined) && !['integer', 'number', 'string'].includes(spec.type)) issues.push('min and max are for numbers (range) and strings (length)');
  if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) issues.push(`min (${spec.min}) is above max (${spec.max})`);
  if (spec.unique && spec.list) issues.push('a list cannot be unique');
  if (issues.length === 0) issues.push(...defaultIssues(spec));
  return issues;
}

/** Whether `cls` is `ancestor` or descends from it. */
export function isA(model: ResolvedModel, cls: string, ancestor: string): boolean {
  return model.descendants.get(ancestor)?.has(cls) ?? false;
}

/** The class a CI of `cls` answers to for uniqueness: the topmost class defining `attribute`. */
export function uniquenessScope(cls: ResolvedClass, attribute: string): string {
  return cls.definedIn[attribute] ?? cls.name;
}

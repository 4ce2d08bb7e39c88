/**
 * Identification: which stored CI an incoming record (an import row, a discovered host)
 * is. Each class lists rules, tried in order; the first rule whose attributes all have
 * values gives the record's key (serial number; else host name + domain; else primary IP).
 * Keys are scoped to the class that defines the rules, so a host found by SSH as a
 * virtual_machine and imported as a physical_server with the same serial number is one CI.
 */

import type { Attributes } from './attributes';
import type { CiRecord } from './graph';
import type { ResolvedClass, ResolvedModel } from './model';

/** Every identification key of a record, strongest rule first (empty when no rule applies). */
export function identificationKeys(cls: ResolvedClass, attributes: Attributes | Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const rule of cls.identification) {
    const values = rule.map((attribute) => attributes[attribute]);
    if (values.some((v) => v === null || v === undefined || v === '')) continue;
    keys.push(`${cls.identificationScope}|${rule.join('+')}=${values.map((v) => String(v).toLowerCase()).join('+')}`);
  }
  return keys;
}

/** An index from identification key to CI id over stored CIs, to match incoming records in bulk. */
export class IdentificationIndex {
  private readonly byKey = new Map<string, string>();

  constructor(private readonly model: ResolvedModel) {}

  add(ci: CiRecord): void {
    const cls = this.model.classes.get(ci.class);
    if (!cls) return;
    for (const key of identificationKeys(cls, ci.attributes)) if (!this.byKey.has(key)) this.byKey.set(key, ci.id);
  }

  /**
   * The CI the record identifies as, or undefined. Only the record's first applicable rule
   * counts ("serial number, else host name and domain, else primary IP"): a record that
   * carries a serial number is never matched by its IP to a CI with another serial.
   */
  find(cls: ResolvedClass, attributes: Attributes | Record<string, unknown>): string | undefined {
    const [key] = identificationKeys(cls, attributes);
    return key === undefined ? undefined : this.byKey.get(key);
  }
}

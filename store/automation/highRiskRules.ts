import type { Connection } from 'mongoose';
import type { HighRiskRuleSet } from '../../domain/automation/highRisk';

/**
 * The high-risk command rules in force (`automation_high_risk_rules`, one document
 * `current`). Until an admin changes them, the shipped file
 * (catalog/automation/high-risk-rules.yaml) is in force at revision 0; every change stores
 * the whole rule set, validated, with its revision, author and time.
 */
export interface RulesInForce {
  ruleSet: HighRiskRuleSet;
  /** 0: the shipped file; then incremented by every change (the ETag). */
  revision: number;
  source: 'shipped' | 'edited';
  updatedBy?: string;
  updatedAt?: string;
}

interface RulesDocument {
  _id: 'current';
  ruleSet: HighRiskRuleSet;
  revision: number;
  updatedBy: string;
  updatedAt: string;
}

const collection = (db: Connection) => db.collection<RulesDocument>('automation_high_risk_rules');

export async function rulesInForce(db: Connection, shipped: HighRiskRuleSet): Promise<RulesInForce> {
  const doc = await collection(db).findOne({ _id: 'current' });
  if (!doc) return { ruleSet: shipped, revision: 0, source: 'shipped' };
  return { ruleSet: doc.ruleSet, revision: doc.revision, source: 'edited', updatedBy: doc.updatedBy, updatedAt: doc.updatedAt };
}

/** Stores `ruleSet` as revision `previous + 1`; false when another change came first. */
export async function replaceRules(db: Connection, previous: number, ruleSet: HighRiskRuleSet, by: string): Promise<RulesInForce | false> {
  const next: RulesDocument = { _id: 'current', ruleSet, revision: previous + 1, updatedBy: by, updatedAt: new Date().toISOString() };
  try {
    const result = previous === 0 ? await collection(db).insertOne(next).then(() => ({ matched: 1 })) : await collection(db).replaceOne({ _id: 'current', revision: previous }, next).then((r) => ({ matched: r.matchedCount }));
    if (result.matched === 0) return false;
  } catch (error) {
    if ((error as { code?: number }).code === 11000) return false;
    throw error;
  }
  return { ruleSet, revision: next.revision, source: 'edited', updatedBy: by, updatedAt: next.updatedAt };
}

/** The rules in force, read at most every `ttlMs`: steps on thousands of hosts need not each ask the store. */
export function cachedRules(db: Connection, shipped: HighRiskRuleSet, ttlMs = 5_000): () => Promise<HighRiskRuleSet> {
  let cached: { at: number; rules: Promise<HighRiskRuleSet> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > ttlMs) {
      const rules = rulesInForce(db, shipped).then((r) => r.ruleSet);
      cached = { at: Date.now(), rules };
      rules.catch(() => (cached = undefined));
    }
    return cached.rules;
  };
}

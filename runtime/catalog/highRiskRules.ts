import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describeProblem, type HighRiskRuleSet, validateRuleSet } from '../../domain/automation/highRisk';

/** Where the shipped high-risk command rules live inside a catalog folder. */
export const HIGH_RISK_RULES_FILE = path.join('automation', 'high-risk-rules.yaml');

/** A rule file that cannot be used; `problems` are "rules[3] (id) field: what to fix" lines. */
export class HighRiskRulesError extends Error {
  override readonly name = 'HighRiskRulesError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`the high-risk command rules in ${file} have ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Reads `<dir>/automation/high-risk-rules.yaml` and checks it with the domain's own
 * validation (the API uses the same), including every rule's examples. A broken file fails
 * the start with every problem listed, so nothing runs under rules that do not work.
 */
export function loadHighRiskRules(catalogDir: string): HighRiskRuleSet {
  const file = path.join(catalogDir, HIGH_RISK_RULES_FILE);
  if (!fs.existsSync(file)) throw new HighRiskRulesError(file, [`no such file; the automation center needs its high-risk command rules in <catalog>/${HIGH_RISK_RULES_FILE} (see docs/automation-safety.md)`]);
  const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (document.errors.length) throw new HighRiskRulesError(file, document.errors.map((error) => `not valid YAML: ${error.message.split('\n')[0]!.replace(/:$/, '')}`));
  const validation = validateRuleSet(document.toJS());
  if (!validation.ok) throw new HighRiskRulesError(file, validation.problems.map(describeProblem));
  return validation.ruleSet;
}

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type EnrichmentRules, enrichmentRuleProblems } from '../../domain/alert/enrichment';

/** Where the enrichment rules live inside a catalog folder. */
export const ENRICHMENT_FILE = path.join('rules', 'enrichment.yaml');

export class AlertRulesError extends Error {
  override readonly name = 'AlertRulesError';
}

/** Without the file, alerts are not mapped to CIs. */
const NO_ENRICHMENT: EnrichmentRules = { ciMapping: [], depth: 6 };

/** Reads `<dir>/rules/enrichment.yaml`; a mistake fails the start, naming the file and each problem. */
export function loadEnrichmentRules(catalogDir: string): EnrichmentRules {
  const file = path.join(catalogDir, ENRICHMENT_FILE);
  if (!fs.existsSync(file)) return NO_ENRICHMENT;
  const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (document.errors.length) throw new AlertRulesError(`${file} is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`);
  const rules: unknown = document.toJS() ?? {};
  const problems = enrichmentRuleProblems(rules);
  if (problems.length) throw new AlertRulesError(`the enrichment rules in ${file} have problems:\n${problems.map((p) => `  - ${p.path || '(file)'}: ${p.message}`).join('\n')}`);
  return rules as EnrichmentRules;
}

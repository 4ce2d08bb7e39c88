import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type EnrichmentRules, enrichmentRuleProblems } from '../../domain/alert/enrichment';
import { type AlertRule, validateAlertRules } from '../../domain/alert/rules';
import { type TrapRules, trapRuleProblems } from '../../domain/alert/sources/snmpTrap';

/** Where the enrichment and alert rules live inside a catalog folder. */
export const ENRICHMENT_FILE = path.join('rules', 'enrichment.yaml');
export const ALERT_RULES_FILE = path.join('rules', 'alert-rules.yaml');
export const TRAP_RULES_FILE = path.join('rules', 'snmp-traps.yaml');

export class AlertRulesError extends Error {
  override readonly name = 'AlertRulesError';
}

/** Without the file, alerts are not mapped to CIs. */
const NO_ENRICHMENT: EnrichmentRules = { ciMapping: [], depth: 6 };

/** Reads `<dir>/rules/enrichment.yaml`; a mistake fails the start, naming the file and each problem. */
export function loadEnrichmentRules(catalogDir: string): EnrichmentRules {
  const file = path.join(catalogDir, ENRICHMENT_FILE);
  if (!fs.existsSync(file)) return NO_ENRICHMENT;
  const rules = readYaml(file);
  const problems = enrichmentRuleProblems(rules);
  if (problems.length) throw problemsError('enrichment rules', file, problems);
  return rules as EnrichmentRules;
}

/** Reads `<dir>/rules/alert-rules.yaml`; without it alerts are stored and shown but never grouped. */
export function loadAlertRules(catalogDir: string): AlertRule[] {
  const file = path.join(catalogDir, ALERT_RULES_FILE);
  if (!fs.existsSync(file)) return [];
  const result = validateAlertRules(readYaml(file));
  if (!result.ok) throw problemsError('alert rules', file, result.problems);
  return result.rules;
}

/** Reads `<dir>/rules/snmp-traps.yaml`; without it every trap is a warning named after its OID. */
export function loadTrapRules(catalogDir: string): TrapRules {
  const file = path.join(catalogDir, TRAP_RULES_FILE);
  if (!fs.existsSync(file)) return { traps: [], unknownSeverity: 'warning', unknownSources: 'accept' };
  const rules = readYaml(file) as { traps: Array<Record<string, unknown>> } & Omit<TrapRules, 'traps'>;
  const problems = trapRuleProblems(rules);
  if (problems.length) throw problemsError('SNMP trap rules', file, problems);
  return { ...rules, traps: rules.traps.map((t) => ({ labels: {}, key: [], clears: null, ...t }) as unknown as TrapRules['traps'][number]) };
}

function readYaml(file: string): unknown {
  const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (document.errors.length) throw new AlertRulesError(`${file} is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`);
  return document.toJS() ?? {};
}

function problemsError(what: string, file: string, problems: Array<{ path: string; message: string }>): AlertRulesError {
  return new AlertRulesError(`the ${what} in ${file} have problems:\n${problems.map((p) => `  - ${p.path || '(file)'}: ${p.message}`).join('\n')}`);
}

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { ResolvedModel } from '../../domain/cmdb/model';
import { type PollingCatalog, validatePollingJobs } from '../../domain/collection/pollingJob';
import { type ThresholdRule, validateThresholdRules } from '../../domain/collection/thresholdRules';

/** Where built-in collection's data lives inside a catalog folder (docs/alerts-collection.md). */
export const POLLING_JOBS_FILE = path.join('collection', 'polling-jobs.yaml');
export const THRESHOLDS_FILE = path.join('rules', 'thresholds.yaml');

export class CollectionCatalogError extends Error {
  override readonly name = 'CollectionCatalogError';
}

const NO_JOBS: PollingCatalog = { jobs: [], retention: '30d', retentionMs: 30 * 24 * 3_600_000 };

/** Reads `<dir>/collection/polling-jobs.yaml`; without it nothing is polled. `model` checks the target selectors. */
export function loadPollingJobs(catalogDir: string, model?: ResolvedModel): PollingCatalog {
  const file = path.join(catalogDir, POLLING_JOBS_FILE);
  if (!fs.existsSync(file)) return NO_JOBS;
  const result = validatePollingJobs(readYaml(file), model);
  if (!result.ok) throw problemsError('polling jobs', file, result.problems);
  return result.catalog;
}

/** Reads `<dir>/rules/thresholds.yaml`; without it samples are stored but never alert. */
export function loadThresholdRules(catalogDir: string, model?: ResolvedModel): ThresholdRule[] {
  const file = path.join(catalogDir, THRESHOLDS_FILE);
  if (!fs.existsSync(file)) return [];
  const result = validateThresholdRules(readYaml(file), model);
  if (!result.ok) throw problemsError('threshold rules', file, result.problems);
  return result.rules;
}

function readYaml(file: string): unknown {
  const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (document.errors.length) throw new CollectionCatalogError(`${file} is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`);
  return document.toJS() ?? {};
}

function problemsError(what: string, file: string, problems: Array<{ path: string; message: string }>): CollectionCatalogError {
  return new CollectionCatalogError(`the ${what} in ${file} have problems:\n${problems.map((p) => `  - ${p.path || '(file)'}: ${p.message}`).join('\n')}`);
}

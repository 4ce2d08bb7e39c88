import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { type RunPolicy, validateRunPolicy } from '../../domain/automation/runPolicy';

/** Where the run policy lives inside a catalog folder; without the file no role is limited. */
export const RUN_POLICY_FILE = path.join('automation', 'run-policy.yaml');

export class RunPolicyError extends Error {
  override readonly name = 'RunPolicyError';
}

/** Reads `<dir>/automation/run-policy.yaml`; a mistake fails the start, naming the file and each problem. */
export function loadRunPolicy(catalogDir: string): RunPolicy {
  const file = path.join(catalogDir, RUN_POLICY_FILE);
  if (!fs.existsSync(file)) return { roles: {} };
  const document = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (document.errors.length) throw new RunPolicyError(`${file} is not valid YAML: ${document.errors[0]!.message.split('\n')[0]}`);
  const validation = validateRunPolicy(document.toJS() ?? {});
  if (!validation.ok) throw new RunPolicyError(`the run policy in ${file} has problems:\n${validation.problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`);
  return validation.policy;
}

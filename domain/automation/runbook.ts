/**
 * A runbook: what an operator may run, on which CMDB-selected targets, how (strategy) and
 * who may run it. Runbooks are data (catalog/runbooks/<id>.yaml, or drafts made through
 * the API) and are published as immutable versions; a run pins the version it started
 * with. The format is documented in docs/automation.md#runbook-format.
 */

import type { FormSchema } from '../catalogItem';
import type { Selector } from '../cmdb/selector';
import type { Serial } from './strategy';

/** Runbook and script ids: lower-case words joined by single dashes, as file names. */
export const LIBRARY_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const LIBRARY_ID_MAX = 64;
/** Step ids name outputs (`steps.<id>.stdout`), so they are identifiers. */
export const STEP_ID = /^[a-z][a-z0-9_]{0,39}$/;

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const SCRIPT_LANGUAGES = ['bash', 'sh', 'python', 'powershell'] as const;
export type ScriptLanguage = (typeof SCRIPT_LANGUAGES)[number];

/** What a failed step does to its host: stop the host's remaining steps, or go on with the next. */
export type OnError = 'stop' | 'continue';

interface StepBase {
  id: string;
  /** What the step does, for people. */
  name?: string;
  /** How long the step may take on one host, e.g. '2m'; the command is killed after it. */
  timeout?: string;
  onError?: OnError;
  /**
   * An idempotent step may be retried with backoff when its outcome is unknown (a worker
   * died mid-command). Others never are: the run asks an operator instead.
   */
  idempotent?: boolean;
  /** Retries of an idempotent step (default 2). */
  retries?: number;
}

/** A program and its arguments; every argument reaches the host as one quoted word. */
export interface SshCommandStep extends StepBase {
  type: 'ssh.command';
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

/** A script from the library (pinned at publish) or inline; parameters arrive as environment variables or quoted arguments. */
export interface SshScriptStep extends StepBase {
  type: 'ssh.script';
  script: { id: string; version?: number } | { language: ScriptLanguage; body: string };
  args?: string[];
  env?: Record<string, string>;
}

export interface WaitStep extends StepBase {
  type: 'wait';
  duration: string;
}

/** Pauses the whole run until someone other than the requester, holding one of `approvers`' roles, approves. */
export interface ApprovalStep extends StepBase {
  type: 'approval';
  message?: string;
  /** Roles whose holders may approve; default automation_admin. */
  approvers?: string[];
}

/** What a condition does to its host when it holds (`then`) and when it does not (`else`). */
export type ConditionOutcome = 'continue' | 'skip' | 'fail' | 'abort';

/** A FEEL expression over params, target and earlier steps' results (docs/automation-expressions.md). */
export interface ConditionStep extends StepBase {
  type: 'condition';
  expression: string;
  then?: ConditionOutcome;
  else?: ConditionOutcome;
}

export type RunbookStep = SshCommandStep | SshScriptStep | WaitStep | ApprovalStep | ConditionStep;
export type StepType = RunbookStep['type'];

/** Host steps run on the target's zone worker; the others are the run's own. */
export const HOST_STEP_TYPES: ReadonlySet<StepType> = new Set(['ssh.command', 'ssh.script']);

export interface RunStrategy {
  /** Hosts worked on at once (default 10). */
  parallelism?: number;
  serial?: Serial;
  maxFailPercentage?: number;
  /** How long one host may take for all its steps, e.g. '30m'. */
  hostTimeout?: string;
}

export interface RunbookDefinition {
  name: string;
  description?: string;
  risk: RiskLevel;
  /** Roles whose holders may run it; admins always may. */
  allowedRoles: string[];
  parameters?: FormSchema;
  /** Parameters whose values are masked in logs, stored runs and the UI. */
  secretParameters?: string[];
  targets: { selector: Selector };
  strategy?: RunStrategy;
  steps: RunbookStep[];
}

export interface ScriptDefinition {
  name: string;
  description?: string;
  language: ScriptLanguage;
  body: string;
}

export const DEFAULT_PARALLELISM = 10;
export const DEFAULT_STEP_TIMEOUT = '10m';
export const DEFAULT_RETRIES = 2;

/** Where a definition's references do not hold together (duplicate step ids, unknown parameters). */
export interface DefinitionIssue {
  path: string;
  message: string;
}

/** Checks what a schema cannot: step ids unique, secret parameters declared. */
export function runbookIssues(definition: RunbookDefinition): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const seen = new Set<string>();
  definition.steps.forEach((step, i) => {
    if (seen.has(step.id)) issues.push({ path: `steps.${i}.id`, message: `another step is already called '${step.id}'; step ids must be unique` });
    seen.add(step.id);
  });
  const declared = new Set(Object.keys(definition.parameters?.properties ?? {}));
  (definition.secretParameters ?? []).forEach((name, i) => {
    if (!declared.has(name)) issues.push({ path: `secretParameters.${i}`, message: `'${name}' is not one of the runbook's parameters` });
  });
  return issues;
}

/** The library scripts a runbook's steps name, for pinning at publish. */
export function scriptReferences(definition: RunbookDefinition): Array<{ step: number; id: string; version?: number }> {
  return definition.steps.flatMap((step, i) => (step.type === 'ssh.script' && 'id' in step.script ? [{ step: i, id: step.script.id, version: step.script.version }] : []));
}

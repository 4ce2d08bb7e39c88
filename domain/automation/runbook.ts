/**
 * A runbook: what an operator may run, on which CMDB-selected targets, how (strategy) and
 * who may run it. Runbooks are data (catalog/runbooks/<id>.yaml, or drafts made through
 * the API) and are published as immutable versions; a run pins the version it started
 * with. The format is documented in docs/automation.md#runbook-format.
 */

import type { FormSchema } from '../catalogItem';
import type { Selector } from '../cmdb/selector';
import type { CloudStepInputs, CloudStepType } from './cloud';
import type { SnmpSetType } from './snmp';
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

/**
 * A file put on the host over SFTP, checked by its SHA-256 there: `content` (a template) or
 * a library `script`'s body, written to a temporary name beside `path`, verified, then
 * renamed into place. A file that already has the content is not written (`unchanged`).
 */
export interface SshUploadStep extends StepBase {
  type: 'ssh.upload';
  content?: string;
  script?: { id: string; version?: number };
  /** Absolute path on the host (a template). */
  path: string;
  /** Octal permission bits, e.g. '0644' (the default). */
  mode?: string;
  /** `user` or `user:group` (a template); the connecting user must be allowed to chown. */
  owner?: string;
}

/** SNMP steps ask the target's primary_ip; the credential is the CI's `snmp_credential`, else the step's. */
interface SnmpStepBase extends StepBase {
  /** A credential id (snmp_community or snmp_v3) for targets whose CI names none. */
  credential?: string;
  /** UDP port (default 161). */
  port?: number;
  /** How long one attempt waits for an answer, e.g. '3s' (the default); a request is sent twice. */
  requestTimeout?: string;
}

export interface SnmpGetStep extends SnmpStepBase {
  type: 'snmp.get';
  /** Numeric OIDs (templates), 1-64. */
  oids: string[];
}

export interface SnmpWalkStep extends SnmpStepBase {
  type: 'snmp.walk';
  /** The subtree's root OID (a template). */
  oid: string;
  maxRows?: number;
  maxRepetitions?: number;
  /** Time for the whole walk, e.g. '30s' (the default); never beyond the step's timeout. */
  deadline?: string;
}

export interface SnmpSetStep extends SnmpStepBase {
  type: 'snmp.set';
  /** 1-32 objects set in one request; string OIDs and values are templates. */
  varbinds: Array<{ oid: string; type: SnmpSetType; value: string | number; encoding?: 'text' | 'hex' }>;
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** An expected response status: a code, or a class such as '2xx'. */
export type HttpStatusMatch = number | `${1 | 2 | 3 | 4 | 5}xx`;

/** An HTTP(S) request from the target's zone worker. */
export interface HttpRequestStep extends StepBase {
  type: 'http.request';
  /** Default GET. */
  method?: HttpMethod;
  /** http or https (a template whose values are percent-encoded; `{{{raw}}}` pastes as is). */
  url: string;
  /** Header values are templates. */
  headers?: Record<string, string>;
  /** A text body (a template). */
  body?: string;
  /** A JSON body: any JSON value whose strings are templates, sent as application/json. */
  json?: unknown;
  /** An http_bearer or http_basic credential id: sent as the Authorization header. */
  credential?: string;
  /** Default: any 2xx. */
  expectStatus?: HttpStatusMatch | HttpStatusMatch[];
}

/** A `cloud.server.*` step (domain/automation/cloud.ts), in the cloud account its `credential` names. */
export type CloudServerStep = { [K in CloudStepType]: StepBase & { type: K } & CloudStepInputs[K] }[CloudStepType];

export type SnmpStep = SnmpGetStep | SnmpWalkStep | SnmpSetStep;
export type RunbookStep = SshCommandStep | SshScriptStep | SshUploadStep | SnmpStep | HttpRequestStep | CloudServerStep | WaitStep | ApprovalStep | ConditionStep;
export type StepType = RunbookStep['type'];

/** Steps that run over SSH and share the run's connection to the host. */
export const SSH_STEP_TYPES: ReadonlySet<StepType> = new Set(['ssh.command', 'ssh.script', 'ssh.upload']);

/** Host steps run on the target's zone worker; the others are the run's own. */
export const HOST_STEP_TYPES: ReadonlySet<StepType> = new Set([
  ...SSH_STEP_TYPES,
  'snmp.get',
  'snmp.walk',
  'snmp.set',
  'http.request',
  'cloud.server.list',
  'cloud.server.start',
  'cloud.server.stop',
  'cloud.server.reboot',
  'cloud.server.resize',
  'cloud.server.snapshot',
]);

/** Every step type, as a runbook names it. */
export const STEP_TYPES: readonly StepType[] = [...HOST_STEP_TYPES, 'wait', 'approval', 'condition'];

/** Which zone activity runs a host step: one per family. */
export type HostStepFamily = 'ssh' | 'upload' | 'snmp' | 'http' | 'cloud';

export function hostStepFamily(type: StepType): HostStepFamily | null {
  if (type === 'ssh.command' || type === 'ssh.script') return 'ssh';
  if (type === 'ssh.upload') return 'upload';
  if (type.startsWith('snmp.')) return 'snmp';
  if (type === 'http.request') return 'http';
  if (type.startsWith('cloud.')) return 'cloud';
  return null;
}

/**
 * Steps that may be repeated without harm unless they say otherwise (`idempotent: false`):
 * reads (snmp.get, snmp.walk, cloud.server.list, HTTP GET, HEAD and OPTIONS) and uploads
 * (the same content gives the same file). Everything else is retried only when it says
 * `idempotent: true` — a POST never is by default.
 */
export function idempotentByNature(step: RunbookStep): boolean {
  switch (step.type) {
    case 'snmp.get':
    case 'snmp.walk':
    case 'cloud.server.list':
    case 'ssh.upload':
      return true;
    case 'http.request':
      return ['GET', 'HEAD', 'OPTIONS'].includes(step.method ?? 'GET');
    default:
      return false;
  }
}

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
  return definition.steps.flatMap((step, i) => {
    const script = step.type === 'ssh.script' || step.type === 'ssh.upload' ? step.script : undefined;
    return script && 'id' in script ? [{ step: i, id: script.id, version: script.version }] : [];
  });
}

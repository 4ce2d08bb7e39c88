import type { Connection } from 'mongoose';
import { type Answers, validateAnswers } from '../../domain/catalogItem';
import type { RunbookDefinition } from '../../domain/automation/runbook';
import { describeOutside, grantFor, type RunPolicy, type TargetScope, targetsOutside } from '../../domain/automation/runPolicy';
import { targetFacts } from '../../domain/automation/targetFacts';
import { distinctTargets, runTargets } from '../../domain/automation/targets';
import type { CiRecord, CmdbGraph } from '../../domain/cmdb/graph';
import type { Selector } from '../../domain/cmdb/selector';
import type { MasterKey } from '../../runtime/masterKey';
import { loadModel } from '../cmdb/modelStore';
import { cmdbGraph } from '../cmdb/replica';
import { nextSequence } from '../counters';
import { publishedVersion } from './library';
import { sealRunSecrets } from './runSecrets';
import { insertRun, type RunDocument, type RunScript, type RunTrigger } from './runs';

/**
 * Makes the record of a new run: the runbook version pinned, its scripts pinned, the
 * parameters checked against the runbook's form and the secret ones sealed. Every trigger
 * (the API, a schedule, a ticket, an alert) makes its runs here, so the rules are one.
 */
export interface RunRequest {
  runbook: string;
  /** Default: the latest published version. */
  version?: number;
  params?: unknown;
  credential?: string;
  /**
   * CI ids the run is limited to; each must be one the runbook's selector selects (a
   * trigger narrows a runbook, never widens it). Default: all the selector selects.
   */
  targets?: readonly string[];
  requestedBy: string;
  /** The roles of who asks; one must be among the runbook's allowedRoles (admin always is). */
  roles: readonly string[];
  trigger: RunTrigger;
  /** Risk levels and target scopes per role (catalog/automation/run-policy.yaml). */
  policy: RunPolicy;
}

export class RunRequestError extends Error {
  override readonly name = 'RunRequestError';
  constructor(
    readonly kind: 'not_found' | 'forbidden' | 'invalid',
    message: string,
    readonly errors: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

export const runIdOf = (n: number) => `RUN${String(n).padStart(7, '0')}`;

/** Checks a request and returns what the run would be, without storing it (dry runs use this too). */
export async function planRun(db: Connection, request: RunRequest): Promise<Omit<RunDocument, '_id' | 'sealedParams'> & { secretParams: Answers }> {
  const version = await publishedVersion(db, 'runbook', request.runbook, request.version);
  if (!version) {
    throw new RunRequestError('not_found', request.version === undefined ? `runbook ${request.runbook} has no published version` : `runbook ${request.runbook} has no version ${request.version}`);
  }
  const definition = version.definition;
  const grant = grantFor({ id: request.runbook, risk: definition.risk, allowedRoles: definition.allowedRoles }, request.roles, request.policy);
  if (!grant.ok) throw new RunRequestError('forbidden', grant.reason);
  const checked = validateAnswers(definition.parameters ?? { type: 'object', properties: {} }, request.params ?? {});
  if (!checked.ok) throw new RunRequestError('invalid', 'the parameters do not fit the runbook', checked.errors.map((e) => ({ field: `body.params${e.field ? `.${e.field}` : ''}`, message: e.message })));
  const targetIds = request.targets && (await checkedTargets(db, request.runbook, definition, request.targets));
  if (grant.scopes) await checkScope(db, request.runbook, definition, targetIds, grant.scopes);
  const secretNames = new Set(definition.secretParameters ?? []);
  const params: Answers = {};
  const secretParams: Answers = {};
  for (const [name, value] of Object.entries(checked.answers)) (secretNames.has(name) ? secretParams : params)[name] = value;
  return {
    runbook: { id: version.id, version: version.version, name: definition.name, risk: definition.risk },
    definition,
    scripts: await pinnedScripts(db, definition),
    params,
    secretParams,
    requestedBy: request.requestedBy,
    trigger: request.trigger,
    ...(request.credential && { credential: request.credential }),
    ...(targetIds && { targetIds }),
    ...(grant.scopes && { targetScope: grant.scopes }),
    status: 'queued',
    approvals: [],
    targets: { total: 0, byZone: {} },
    createdAt: new Date().toISOString(),
  };
}

/**
 * Stores the run record under a new number (or `reserved`, a number taken before, see
 * runClaims.ts); the caller starts `run/<id>`.
 */
export async function createRun(db: Connection, key: MasterKey, request: RunRequest, reserved?: string): Promise<RunDocument> {
  const { secretParams, ...planned } = await planRun(db, request);
  const id = reserved ?? runIdOf(await nextSequence(db, 'automation_run'));
  const run: RunDocument = { _id: id, ...planned, ...(Object.keys(secretParams).length && { sealedParams: sealRunSecrets(key, id, secretParams) }) };
  await insertRun(db, run);
  return run;
}

/** The explicit targets without repeats, each checked to be a CI the runbook's selector selects; a field error names each one that is not. */
async function checkedTargets(db: Connection, runbook: string, definition: RunbookDefinition, targets: readonly string[]): Promise<string[]> {
  const ids = distinctTargets(targets);
  const graph = await cmdbGraph(db);
  const known = ids.filter((id) => graph.ci(id));
  const selected = new Set(known.length ? (await selectedTargets(db, runbook, definition, known)).cis.map((ci) => ci.id) : []);
  const outside: Array<{ id: string; index: number }> = [];
  const seen = new Set<string>();
  targets.forEach((id, index) => {
    if (!seen.has(id) && !selected.has(id)) outside.push({ id, index });
    seen.add(id);
  });
  if (outside.length) {
    const errors = outside.map(({ id, index }) => ({ field: `body.targets.${index}`, message: graph.ci(id) ? `${id} is not one of runbook ${runbook}'s targets: its selector does not select it` : `no CI ${id}` }));
    const named = outside.slice(0, 10).map(({ id }) => id).join(', ');
    throw new RunRequestError('invalid', `${outside.length === 1 ? 'a target is' : `${outside.length} targets are`} outside runbook ${runbook}'s selector: ${named}${outside.length > 10 ? ', …' : ''}`, errors);
  }
  return ids;
}

/** Every target the run would have must be in one of the caller's scopes; the refusal names them and why. */
async function checkScope(db: Connection, runbook: string, definition: RunbookDefinition, targetIds: string[] | undefined, scopes: TargetScope[]): Promise<void> {
  const { cis, graph } = await selectedTargets(db, runbook, definition, targetIds);
  const outside = targetsOutside(scopes, cis.map((ci) => targetFacts(ci, graph)));
  if (outside.length) throw new RunRequestError('forbidden', `${describeOutside(outside, cis.length)}; narrow the run with targets, or ask someone whose scope covers them`);
}

/** The CIs the runbook's selector selects now, narrowed to `targetIds`. */
export async function selectedTargets(db: Connection, runbook: string, definition: RunbookDefinition, targetIds: readonly string[] | undefined): Promise<{ cis: CiRecord[]; graph: CmdbGraph }> {
  const [graph, model] = await Promise.all([cmdbGraph(db), loadModel(db)]);
  const found = runTargets(definition.targets.selector as Selector, targetIds, { graph, model });
  if ('problem' in found) throw new RunRequestError('invalid', `runbook ${runbook}: ${found.problem}`);
  return { cis: found.cis, graph };
}

/** The scripts the runbook's steps use, as published (a library script is pinned by the runbook version). */
async function pinnedScripts(db: Connection, definition: RunbookDefinition): Promise<RunScript[]> {
  const scripts: RunScript[] = [];
  for (const [step, s] of definition.steps.entries()) {
    // An upload's library script is its content, pinned like a script to run.
    if (s.type !== 'ssh.script' && !(s.type === 'ssh.upload' && s.script)) continue;
    if (!s.script) continue;
    if ('body' in s.script) {
      scripts.push({ step, language: s.script.language, body: s.script.body });
      continue;
    }
    const found = await publishedVersion(db, 'script', s.script.id, s.script.version);
    if (!found) throw new RunRequestError('invalid', `step ${s.id} uses script ${s.script.id}${s.script.version ? ` version ${s.script.version}` : ''}, which is not published`);
    scripts.push({ step, id: found.id, version: found.version, language: found.definition.language, body: found.definition.body });
  }
  return scripts;
}

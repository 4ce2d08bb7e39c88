import type { Connection } from 'mongoose';
import type { HighRiskRuleSet } from '../../domain/automation/highRisk';
import { maskSecrets } from '../../domain/automation/output';
import type { RunRisk } from '../../domain/automation/risk';
import { stepPlans } from '../../domain/automation/run';
import type { RiskLevel, SshCommandStep, SshScriptStep } from '../../domain/automation/runbook';
import { planRun, type RunRequest, selectedTargets } from '../../store/automation/newRun';
import type { HostDocument } from '../../store/automation/runs';
import { type RunContext, templateContext } from './runContext';
import { assessRunRisk } from './runRisk';
import { targetHosts } from './runTargets';
import { type SshLine, sshLineFor } from './sshLine';

/** Distinct renderings shown per step; a fleet where every host differs shows the first ones. */
const MAX_RENDERINGS = 20;
/** Host names named per rendering. */
const SAMPLE_HOSTS = 5;
/** Targets listed in the answer; the counts cover all of them. */
const LISTED_TARGETS = 200;

export interface DryRunRendering {
  /** The command line as the host would get it (secret parameters masked). */
  command: string;
  /** The script sent on stdin, when the step runs one. */
  script?: string;
  hosts: number;
  sample: string[];
}

export interface DryRunStep {
  id: string;
  type: string;
  name?: string;
  /** SSH steps: what each target would be sent, equal renderings merged. */
  renderings?: DryRunRendering[];
  /** Renderings beyond MAX_RENDERINGS, not shown. */
  moreRenderings?: number;
  /** Targets whose line cannot be rendered before the run (it uses an earlier step's output): checked on each host when it runs. */
  unrendered?: { hosts: number; reason: string };
}

export interface DryRun {
  runbook: { id: string; version: number; name: string; risk: RiskLevel };
  targets: { total: number; byZone: Record<string, number>; listed: Array<{ ciId: string; name: string; address: string | null; zone: string }> };
  steps: DryRunStep[];
  /** What the high-risk check would decide: allow, approval (a second person) or block. */
  risk: RunRisk;
}

/**
 * What a run would do, without doing it: the same checks as starting it (roles, risk level,
 * target scope, parameters, explicit targets), the targets resolved from the CMDB as it
 * stands, every SSH step rendered per target, and the high-risk check over them. Nothing is
 * stored and nothing executes.
 */
export async function dryRun(db: Connection, request: RunRequest, ruleSet: HighRiskRuleSet | undefined): Promise<DryRun> {
  const plan = await planRun(db, request);
  const { cis, graph } = await selectedTargets(db, request.runbook, plan.definition, plan.targetIds);
  const { docs, byZone } = targetHosts('dry-run', cis, graph);
  const run: RunContext = {
    id: 'dry-run',
    definition: plan.definition,
    scripts: plan.scripts,
    params: { ...plan.params, ...plan.secretParams },
    secrets: Object.values(plan.secretParams).map(String),
    plans: stepPlans(plan.definition),
  };
  return {
    runbook: plan.runbook,
    targets: { total: docs.length, byZone, listed: docs.slice(0, LISTED_TARGETS).map((h) => ({ ciId: h.ciId, name: h.name, address: h.address, zone: h.zone })) },
    steps: plan.definition.steps.map((step, index) => ({
      id: step.id,
      type: step.type,
      ...(step.name && { name: step.name }),
      ...(step.type === 'ssh.command' || step.type === 'ssh.script' ? renderings(run, step, index, docs) : {}),
    })),
    risk: assessRunRisk(run, docs, ruleSet),
  };
}

function renderings(run: RunContext, step: SshCommandStep | SshScriptStep, index: number, hosts: readonly HostDocument[]): Pick<DryRunStep, 'renderings' | 'moreRenderings' | 'unrendered'> {
  const byLine = new Map<string, DryRunRendering>();
  let unrendered: DryRunStep['unrendered'];
  for (const host of hosts) {
    let line: SshLine;
    try {
      line = sshLineFor(run, step, index, templateContext(run, host));
    } catch (error) {
      unrendered = { hosts: (unrendered?.hosts ?? 0) + 1, reason: unrendered?.reason ?? (error as Error).message };
      continue;
    }
    const key = JSON.stringify([line.command, line.stdin]);
    const seen = byLine.get(key);
    if (seen) {
      seen.hosts++;
      if (seen.sample.length < SAMPLE_HOSTS) seen.sample.push(host.name);
    } else {
      byLine.set(key, { command: maskSecrets(line.command, run.secrets), ...(line.stdin !== undefined && { script: maskSecrets(line.stdin, run.secrets) }), hosts: 1, sample: [host.name] });
    }
  }
  const all = [...byLine.values()];
  return { renderings: all.slice(0, MAX_RENDERINGS), ...(all.length > MAX_RENDERINGS && { moreRenderings: all.length - MAX_RENDERINGS }), ...(unrendered && { unrendered }) };
}

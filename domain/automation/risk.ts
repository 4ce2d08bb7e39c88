/**
 * What the high-risk check means for a run (docs/automation-safety.md#in-a-run). When the
 * run is prepared, every SSH step is rendered for every target and checked: a `block`
 * finding stops the run before anything executes, an `approval` finding makes it wait at
 * the gate `high-risk` for a second person. Right before a step executes on a host, the
 * text it really sends is checked again; it may go ahead only with no finding, or with
 * findings the second person already approved (the same step and rule). Anything else,
 * including a check that could not run, leaves the step `blocked`.
 */

import type { CheckResult, Decision, Finding, PolicyAction, Severity } from './highRisk';

/** The approval a run waits at when its commands need a second person; not a valid step id, so never a step's. */
export const HIGH_RISK_GATE = 'high-risk';
/** Who approves high-risk commands (besides admins). */
export const HIGH_RISK_APPROVERS = ['automation_admin'];

/** At most this many findings are kept on a run; the count says how many there were. */
export const MAX_KEPT_FINDINGS = 50;

export interface StepFinding extends Finding {
  /** The step whose rendered text it was found in. */
  step: string;
  /** What the policy makes of it. */
  action: PolicyAction;
  /** How many targets' renderings gave this finding. */
  hosts: number;
}

export interface RunRisk {
  decision: Decision;
  findings: StepFinding[];
  /** Findings before MAX_KEPT_FINDINGS cut them. */
  total: number;
  /** Steps whose text could not be rendered before the run (it uses earlier steps' outputs): checked on each host only. */
  uncheckedSteps: string[];
  /** Per step, the rules whose findings need approval: what a second person approves for every host. */
  approvalRules: Record<string, string[]>;
}

const RANK: Record<Decision, number> = { allow: 0, approval: 1, block: 2 };
const worst = (a: Decision, b: Decision): Decision => (RANK[b] > RANK[a] ? b : a);

/** Collects check results of rendered steps into the run's risk, one finding per step, rule, form and line. */
export class RiskCollector {
  private decision: Decision = 'allow';
  private readonly findings = new Map<string, StepFinding>();
  private readonly unchecked = new Set<string>();

  constructor(private readonly policy: Record<Severity, PolicyAction>) {}

  add(step: string, result: CheckResult): void {
    this.decision = worst(this.decision, result.decision);
    for (const finding of result.findings) {
      const key = JSON.stringify([step, finding.ruleId, finding.form ?? finding.text, finding.line]);
      const seen = this.findings.get(key);
      if (seen) seen.hosts++;
      else this.findings.set(key, { ...finding, step, action: actionOf(finding, this.policy), hosts: 1 });
    }
  }

  /** A step that could not be rendered ahead of time. */
  skip(step: string): void {
    this.unchecked.add(step);
  }

  result(): RunRisk {
    const all = [...this.findings.values()].sort((a, b) => RANK[b.action] - RANK[a.action] || RANK_SEVERITY[a.severity] - RANK_SEVERITY[b.severity]);
    const approvalRules: Record<string, string[]> = {};
    for (const f of all) if (f.action === 'approval' && !approvalRules[f.step]?.includes(f.ruleId)) (approvalRules[f.step] ??= []).push(f.ruleId);
    return { decision: this.decision, findings: all.slice(0, MAX_KEPT_FINDINGS), total: all.length, uncheckedSteps: [...this.unchecked], approvalRules };
  }
}

const RANK_SEVERITY: Record<Severity, number> = { critical: 0, high: 1, medium: 2 };

/** `check-failed` blocks whatever the policy says (the check's own fail-closed rule). */
const actionOf = (finding: Finding, policy: Record<Severity, PolicyAction>): PolicyAction => (finding.ruleId === 'check-failed' ? 'block' : policy[finding.severity]);

export type HostVerdict = { go: true } | { go: false; reason: string; findings: Finding[] };

/**
 * Whether a step may execute on a host, given the check of what it sends now and the
 * run's risk as approved at its start (`approved` is undefined when nobody approved any).
 */
export function hostVerdict(step: string, check: CheckResult, approved: RunRisk | undefined): HostVerdict {
  if (check.decision === 'allow') return { go: true };
  if (check.decision === 'block') return { go: false, reason: `the high-risk check blocked it: ${describeFindings(check.findings)}`, findings: check.findings };
  const approvedRules = new Set(approved?.decision === 'approval' ? (approved.approvalRules[step] ?? []) : []);
  const unapproved = check.findings.filter((f) => !approvedRules.has(f.ruleId));
  if (unapproved.length === 0) return { go: true };
  return {
    go: false,
    reason: `it needs a second person's approval that the run did not get when it started (its text differs on this host, or depends on earlier steps): ${describeFindings(unapproved)}`,
    findings: unapproved,
  };
}

/** "line 3 `reboot`: shutdown-reboot (Shutting down …)", joined. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.line > 0 ? `line ${f.line} ` : ''}${f.form ? `\`${f.form}\`` : ''}: ${f.ruleId} (${f.description})`).join('; ');
}

/** The summary of a run the check stopped before it started. */
export function blockedRunSummary(risk: RunRisk): string {
  const shown = risk.findings.filter((f) => f.action === 'block').slice(0, 3);
  return `the high-risk check blocked the run before anything executed: ${shown.map((f) => `step ${f.step} ${describeFindings([f])}`).join('; ')}${risk.total > shown.length ? ` (and ${risk.total - shown.length} more findings)` : ''}`;
}

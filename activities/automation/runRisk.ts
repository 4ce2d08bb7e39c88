import type { CheckResult, HighRiskRuleSet, PolicyAction, Severity } from '../../domain/automation/highRisk';
import { SEVERITIES } from '../../domain/automation/highRisk';
import { maskSecrets } from '../../domain/automation/output';
import { RiskCollector, type RunRisk } from '../../domain/automation/risk';
import type { SshCommandStep, SshScriptStep } from '../../domain/automation/runbook';
import type { HostDocument } from '../../store/automation/runs';
import { type RunContext, templateContext } from './runContext';
import { checkSshLine, sshLineFor } from './sshLine';

/**
 * The high-risk check of a run before it executes: every SSH step rendered for every
 * target (parameters and target attributes applied; earlier steps have no outputs yet, so
 * a step that uses them cannot be rendered and is checked on each host only). Equal
 * renderings are checked once, so a fleet with one command costs one check per step.
 * Finding texts are masked: a secret parameter may be in the line.
 */
export function assessRunRisk(run: RunContext, hosts: readonly HostDocument[], ruleSet: HighRiskRuleSet | undefined): RunRisk {
  const collector = new RiskCollector(policyOf(ruleSet));
  run.definition.steps.forEach((step, index) => {
    if (step.type !== 'ssh.command' && step.type !== 'ssh.script') return;
    const checked = new Map<string, CheckResult>();
    for (const host of hosts) {
      let line;
      try {
        line = sshLineFor(run, step as SshCommandStep | SshScriptStep, index, templateContext(run, host));
      } catch {
        collector.skip(step.id);
        continue;
      }
      const key = JSON.stringify(line);
      let result = checked.get(key);
      if (!result) checked.set(key, (result = masked(checkSshLine(line, ruleSet), run.secrets)));
      collector.add(step.id, result);
    }
  });
  return collector.result();
}

/** Without readable rules every finding is `check-failed`, which blocks anyway. */
function policyOf(ruleSet: HighRiskRuleSet | undefined): Record<Severity, PolicyAction> {
  return ruleSet?.policy ?? (Object.fromEntries(SEVERITIES.map((s) => [s, 'block'])) as Record<Severity, PolicyAction>);
}

function masked(result: CheckResult, secrets: readonly string[]): CheckResult {
  if (!secrets.length) return result;
  return { ...result, findings: result.findings.map((f) => ({ ...f, text: maskSecrets(f.text, secrets), ...(f.form !== undefined && { form: maskSecrets(f.form, secrets) }) })) };
}

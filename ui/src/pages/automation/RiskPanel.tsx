import type { Finding, RunRisk, StepFinding } from '../../api/automation';

const VERDICT: Record<RunRisk['decision'], { title: string; tone: string }> = {
  allow: { title: 'No high-risk commands found', tone: 'ok' },
  approval: { title: 'A second person must approve its high-risk commands', tone: 'warning' },
  block: { title: 'Blocked: high-risk commands the rules never allow', tone: 'danger' },
};

/**
 * The high-risk check of a run's SSH steps (docs/automation-safety.md): the decision, what
 * was found where, and the steps only checked on each host. `prospective` words it for a
 * dry run ("would"), otherwise for a run that was prepared.
 */
export function RiskPanel({ risk, prospective = false }: { risk: RunRisk; prospective?: boolean }) {
  const verdict = VERDICT[risk.decision];
  const consequence =
    risk.decision === 'block'
      ? prospective
        ? 'Starting it would end the run before anything executes.'
        : 'The run ended before anything executed.'
      : risk.decision === 'approval'
        ? prospective
          ? 'The run would wait until someone other than you, holding automation_admin, approves these commands.'
          : 'Someone other than the requester, holding automation_admin, approves these commands before anything runs.'
        : null;
  return (
    <section className={`card risk-panel risk-${verdict.tone}`} aria-labelledby="risk-title" data-testid="risk-panel" data-decision={risk.decision}>
      <h2 className="card-title" id="risk-title">
        High-risk check
      </h2>
      <p className="risk-verdict">
        <strong>{verdict.title}</strong>
        {consequence && <span className="muted"> {consequence}</span>}
      </p>
      {risk.findings.length > 0 && <FindingList findings={risk.findings} />}
      {risk.total > risk.findings.length && <p className="muted small">…and {risk.total - risk.findings.length} more findings.</p>}
      {risk.uncheckedSteps.length > 0 && (
        <p className="muted small" data-testid="unchecked-steps">
          {risk.uncheckedSteps.map((s) => `“${s}”`).join(', ')} {risk.uncheckedSteps.length === 1 ? 'uses' : 'use'} earlier steps’ output, so {risk.uncheckedSteps.length === 1 ? 'it is' : 'they are'} checked on each host right before {risk.uncheckedSteps.length === 1 ? 'it runs' : 'they run'}.
        </p>
      )}
    </section>
  );
}

/** Findings of the check, for a run (with step and target count) or one host's step. */
export function FindingList({ findings }: { findings: ReadonlyArray<Finding | StepFinding> }) {
  return (
    <ul className="findings small" data-testid="findings">
      {findings.map((f) => (
        <li key={`${'step' in f ? f.step : ''}:${f.ruleId}:${f.line}:${f.text}`} className={`finding finding-${f.severity}`}>
          <span className={`severity severity-${f.severity}`}>{f.severity}</span>
          <span>
            {'step' in f && (
              <>
                step <strong>{f.step}</strong>,{' '}
              </>
            )}
            line {f.line}: <code>{f.form ?? f.text}</code> — {f.description}
            {'hosts' in f && f.hosts > 1 && <span className="muted"> ({f.hosts} targets)</span>} <span className="mini-tag">{f.ruleId}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

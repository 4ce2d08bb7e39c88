import type { DryRun } from '../../api/automation';
import { RiskPanel } from './RiskPanel';

/** Targets shown by name; the counts cover all of them. */
const SHOWN_TARGETS = 12;

/** What the run would do, from a dry run: where, what each target would be sent, and the high-risk check. */
export function DryRunPanel({ dry, onClose }: { dry: DryRun; onClose: () => void }) {
  const zones = Object.entries(dry.targets.byZone).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="stack-v dry-run" data-testid="dry-run">
      <section className="card" aria-labelledby="dry-run-title">
        <div className="card-head">
          <h2 className="card-title" id="dry-run-title">
            Dry run: nothing ran
          </h2>
          <button type="button" className="btn btn-ghost btn-small" onClick={onClose}>
            Close
          </button>
        </div>
        <p className="muted small">Version {dry.runbook.version}, as the CMDB stands now; a real run resolves and checks everything again when it starts.</p>
        <h3 className="small strong">
          {dry.targets.total === 1 ? '1 target' : `${dry.targets.total} targets`}
          {zones.length > 0 && <span className="muted"> · {zones.map(([zone, n]) => `${zone} ${n}`).join(' · ')}</span>}
        </h3>
        {dry.targets.total === 0 ? (
          <p className="muted small">The selector selects no CI: the run would succeed without doing anything.</p>
        ) : (
          <ul className="target-list small" data-testid="dry-run-targets">
            {dry.targets.listed.slice(0, SHOWN_TARGETS).map((t) => (
              <li key={t.ciId}>
                {t.name} <span className="muted">{t.address ?? 'no address'}</span>
              </li>
            ))}
            {dry.targets.total > SHOWN_TARGETS && <li className="muted">…and {dry.targets.total - SHOWN_TARGETS} more</li>}
          </ul>
        )}
      </section>
      <RiskPanel risk={dry.risk} prospective />
      <section className="card" aria-labelledby="dry-steps-title">
        <h2 className="card-title" id="dry-steps-title">
          Steps as the targets would get them
        </h2>
        <ol className="dry-steps">
          {dry.steps.map((step) => (
            <li key={step.id} data-step={step.id}>
              <div>
                <span className="strong">{step.name ?? step.id}</span> <span className="mini-tag">{step.type}</span>
              </div>
              {step.renderings?.map((r, i) => (
                <div key={i} className="dry-rendering">
                  <pre className="code-block" data-testid="dry-command">
                    {r.command}
                  </pre>
                  {r.script !== undefined && (
                    <details>
                      <summary className="small">Script sent on stdin</summary>
                      <pre className="code-block">{r.script}</pre>
                    </details>
                  )}
                  <p className="muted small">
                    {r.hosts === dry.targets.total ? 'every target' : `${r.hosts} of ${dry.targets.total} targets`}
                    {r.hosts < dry.targets.total && `: ${r.sample.join(', ')}${r.hosts > r.sample.length ? ', …' : ''}`}
                  </p>
                </div>
              ))}
              {step.moreRenderings ? <p className="muted small">…and {step.moreRenderings} more different renderings.</p> : null}
              {step.unrendered && (
                <p className="small approval-note">
                  Rendered on each host when it runs ({step.unrendered.hosts === dry.targets.total ? 'every target' : `${step.unrendered.hosts} targets`}): {step.unrendered.reason}
                </p>
              )}
              {!step.renderings && <p className="muted small">Not an SSH command: not rendered in a dry run.</p>}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

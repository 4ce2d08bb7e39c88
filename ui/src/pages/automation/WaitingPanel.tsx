import { useState } from 'react';
import { type Problem, toProblem } from '../../api';
import { decideApproval, decideHost, HIGH_RISK_APPROVERS, HIGH_RISK_GATE, type Run, type RunbookStep, type RunHost, type RunWaiting } from '../../api/automation';
import { ErrorAlert } from '../../components';
import { formatRelative } from '../../format';
import { useCan, useMe } from '../../session';

interface Props {
  run: Run;
  steps: RunbookStep[];
  /** Hosts that wait for an operator's decision. */
  deciding: RunHost[];
  onChanged: () => void;
}

/** Why the run is not moving, said prominently, with what the user may do about it. */
export function WaitingPanel({ run, steps, deciding, onChanged }: Props) {
  const reasons = run.waiting ?? [];
  if (reasons.length === 0 && deciding.length === 0) return null;
  const hasDecision = reasons.some((w) => w.reason === 'decision');
  return (
    <section className="waiting" aria-label="Why the run waits" data-testid="waiting">
      {reasons.map((w) =>
        w.reason === 'approval' ? (
          <ApprovalWait key="approval" run={run} waiting={w} step={steps.find((s) => s.id === w.step)} onChanged={onChanged} />
        ) : w.reason === 'decision' ? (
          <DecisionWait key="decision" run={run} waiting={w} hosts={deciding} onChanged={onChanged} />
        ) : (
          <div key={`${w.reason}:${w.detail}`} className={`alert ${w.reason === 'worker' ? 'alert-warning' : 'alert-info'} waiting-${w.reason}`} role="status" data-testid={`waiting-${w.reason}`}>
            <div className="alert-body">
              <p className="alert-title">{w.reason === 'worker' ? 'No worker in a zone' : 'Waiting for a free slot'}</p>
              <p className="alert-detail">{w.detail}</p>
            </div>
          </div>
        ),
      )}
      {!hasDecision && deciding.length > 0 && <DecisionWait run={run} hosts={deciding} onChanged={onChanged} />}
    </section>
  );
}

function ApprovalWait({ run, waiting, step, onChanged }: { run: Run; waiting: RunWaiting; step: RunbookStep | undefined; onChanged: () => void }) {
  const can = useCan();
  const me = useMe();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const highRisk = waiting.step === HIGH_RISK_GATE;
  const approvers = highRisk ? HIGH_RISK_APPROVERS : step?.type === 'approval' ? (step.approvers ?? ['automation_admin']) : [];
  const ownRun = me?.user.username === run.requestedBy;

  async function decide(decision: 'approved' | 'rejected') {
    if (decision === 'rejected' && !window.confirm('Reject this run? It stops here and the remaining steps do not run.')) return;
    setBusy(true);
    setProblem(null);
    try {
      await decideApproval(run.id, { step: waiting.step!, decision, ...(comment.trim() && { comment: comment.trim() }) });
      setComment('');
      onChanged();
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="alert alert-warning waiting-approval" role="status" data-testid="waiting-approval">
      <div className="alert-body">
        <p className="alert-title">Approval needed{highRisk ? ': high-risk commands (see the findings below)' : step?.name ? `: ${step.name}` : ''}</p>
        {step?.type === 'approval' && step.message && <p className="waiting-message">{step.message}</p>}
        <p className="alert-detail small">
          {waiting.detail}
          {waiting.since && ` · since ${formatRelative(waiting.since)}`}
          {approvers.length > 0 && ` · approved by ${approvers.join(' or ')}`}
        </p>
        {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
        {!can('automation.approve') ? (
          <p className="small">Someone with the permission automation.approve decides.</p>
        ) : ownRun ? (
          <p className="small" data-testid="own-run">
            You started this run, so another person approves it.
          </p>
        ) : (
          <div className="approval-form">
            <label htmlFor="approval-comment" className="sr-only">
              Comment
            </label>
            <textarea id="approval-comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Comment (optional)" maxLength={2000} data-testid="approval-comment" />
            <div className="form-actions">
              <button type="button" className="btn btn-success" onClick={() => void decide('approved')} disabled={busy} data-testid="approve">
                Approve
              </button>
              <button type="button" className="btn btn-danger" onClick={() => void decide('rejected')} disabled={busy} data-testid="reject">
                Reject
              </button>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

const DECISIONS = [
  { decision: 'retry', label: 'Retry', hint: 'run the step again' },
  { decision: 'skip', label: 'Skip', hint: 'take it as done and go on' },
  { decision: 'abort', label: 'Abort', hint: 'stop this host here' },
] as const;

function DecisionWait({ run, waiting, hosts, onChanged }: { run: Run; waiting?: RunWaiting; hosts: RunHost[]; onChanged: () => void }) {
  const can = useCan();
  const [busy, setBusy] = useState<number | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function decide(host: RunHost, decision: 'retry' | 'skip' | 'abort') {
    if (decision === 'abort' && !window.confirm(`Abort ${host.name}? Its remaining steps do not run.`)) return;
    setBusy(host.seq);
    setProblem(null);
    try {
      await decideHost(run.id, host.seq, { decision });
      onChanged();
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="alert alert-warning waiting-decision" role="status" data-testid="waiting-decision">
      <div className="alert-body">
        <p className="alert-title">Decision needed</p>
        <p className="alert-detail small">{waiting?.detail ?? 'Hosts wait for an operator: the outcome of a step is unknown, so it is not retried blindly.'}</p>
        {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
        <ul className="decision-list">
          {hosts.map((h) => (
            <li key={h.seq} data-testid="decision-host" data-seq={h.seq}>
              <div>
                <span className="strong">{h.name}</span> <span className="muted small">step {h.decision?.step}</span>
                {h.decision && <div className="small">{h.decision.reason}</div>}
              </div>
              {can('automation.run') && (
                <div className="decision-actions">
                  {DECISIONS.map((d) => (
                    <button key={d.decision} type="button" className={`btn btn-sm ${d.decision === 'abort' ? 'btn-danger' : 'btn-secondary'}`} onClick={() => void decide(h, d.decision)} disabled={busy !== null} title={d.hint} aria-label={`${d.label} step ${h.decision?.step ?? ''} on ${h.name}: ${d.hint}`}>
                      {d.label}
                    </button>
                  ))}
                </div>
              )}
            </li>
          ))}
        </ul>
        {!can('automation.run') && <p className="small">Someone with the permission automation.run decides.</p>}
      </div>
    </div>
  );
}

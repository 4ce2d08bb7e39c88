import type { HostStatus, RiskLevel, RunStatus } from '../../api/automation';
import { Tag } from '../../components';

type Tone = 'neutral' | 'green' | 'red' | 'amber' | 'blue' | 'violet';

const RISK_TONE: Record<RiskLevel, Tone> = { low: 'green', medium: 'amber', high: 'red', critical: 'red' };

export function RiskBadge({ risk }: { risk: RiskLevel | undefined }) {
  if (!risk) return null;
  return (
    <span className={`automation-risk automation-risk-${risk}`}>
      <Tag tone={RISK_TONE[risk]} testId="risk" title={`Risk: ${risk}`}>
        {risk === 'critical' ? 'Critical risk' : `${risk[0]!.toUpperCase()}${risk.slice(1)} risk`}
      </Tag>
    </span>
  );
}

const RUN_TONE: Record<RunStatus, Tone> = { queued: 'neutral', running: 'blue', waiting: 'amber', succeeded: 'green', failed: 'red', stopped: 'red', cancelled: 'neutral' };
export const RUN_LABEL: Record<RunStatus, string> = { queued: 'Queued', running: 'Running', waiting: 'Waiting', succeeded: 'Succeeded', failed: 'Failed', stopped: 'Stopped', cancelled: 'Cancelled' };

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <Tag tone={RUN_TONE[status]} testId="run-status" title={`Run ${RUN_LABEL[status].toLowerCase()}`}>
      {RUN_LABEL[status]}
    </Tag>
  );
}

export const HOST_LABEL: Record<HostStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  awaiting_decision: 'Needs decision',
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
  not_run: 'Not run',
  cancelled: 'Cancelled',
};

export function HostStatusBadge({ status }: { status: HostStatus }) {
  return (
    <span className={`host-status host-status-${status}`} data-testid="host-status" data-status={status}>
      <span className="dot" aria-hidden="true" />
      {HOST_LABEL[status]}
    </span>
  );
}

/** A step's outcome on a host, as a small coloured chip with its exit code. */
export function StepChip({ id, status, exitCode, title }: { id: string; status: string | undefined; exitCode?: number | null; title?: string }) {
  const shown = status ?? 'pending';
  const code = exitCode === undefined || exitCode === null ? '' : ` · ${exitCode}`;
  return (
    <span className={`step-chip step-chip-${shown}`} title={`${title ?? id}: ${shown.replace(/_/g, ' ')}${code ? `, exit code ${exitCode}` : ''}`} data-step={id} data-status={shown}>
      {id}
      {code}
    </span>
  );
}

import type { AlertState, Severity } from '../../api/alerts';
import { Tag } from '../../components';

const SEVERITY_TONE: Record<Severity, 'red' | 'amber' | 'blue' | 'neutral' | 'violet'> = { critical: 'red', major: 'red', minor: 'amber', warning: 'amber', info: 'blue' };
const STATE_TONE: Record<AlertState, 'red' | 'amber' | 'green' | 'neutral' | 'violet'> = { firing: 'red', acknowledged: 'violet', suppressed: 'neutral', resolved: 'green' };

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`alert-severity alert-severity-${severity}`} data-testid="alert-severity">
      <Tag tone={SEVERITY_TONE[severity]}>{severity}</Tag>
    </span>
  );
}

export function AlertStateBadge({ state }: { state: AlertState }) {
  return (
    <span data-testid="alert-state" data-state={state}>
      <Tag tone={STATE_TONE[state]}>{state}</Tag>
    </span>
  );
}

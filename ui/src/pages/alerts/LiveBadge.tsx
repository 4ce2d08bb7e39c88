import { Tag } from '../../components';
import type { LiveState } from './useLiveAlerts';

const LABEL: Record<LiveState, string> = { live: 'Live', connecting: 'Connecting…', offline: 'Offline: retrying' };
const TONE = { live: 'green', connecting: 'amber', offline: 'red' } as const;

/** Whether the list follows the stream right now. */
export function LiveBadge({ state }: { state: LiveState }) {
  return (
    <span className="live-badge" data-testid="alerts-live" data-state={state} title={state === 'live' ? 'Alerts update here as they change' : 'The list is not following changes right now'}>
      <Tag tone={TONE[state]}>{LABEL[state]}</Tag>
    </span>
  );
}

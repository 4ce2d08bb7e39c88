import type { DiscoveryRun } from '../../api';
import { Tag } from '../../components';

const TONE = { running: 'blue', completed: 'green', failed: 'red' } as const;
const LABEL = { running: 'Running', completed: 'Completed', failed: 'Failed' } as const;

export function RunStatus({ run }: { run: Pick<DiscoveryRun, 'status'> }) {
  return <Tag tone={TONE[run.status]} testId="run-status">{LABEL[run.status]}</Tag>;
}

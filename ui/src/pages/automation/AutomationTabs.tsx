import { Link } from '../../router';

export type AutomationSection = 'runbooks' | 'scripts' | 'runs' | 'schedules' | 'safety';

/** The automation pages side by side: library (runbooks, scripts), runs, schedules and the safety rules. */
export function AutomationTabs({ current }: { current: AutomationSection }) {
  const tab = (to: string, name: AutomationSection, label: string) => (
    <Link to={to} className="filter" aria-current={current === name ? 'page' : undefined} data-testid={`automation-tab-${name}`}>
      {label}
    </Link>
  );
  return (
    <nav className="filters" aria-label="Automation">
      {tab('/automation/runbooks', 'runbooks', 'Runbooks')}
      {tab('/automation/scripts', 'scripts', 'Scripts')}
      {tab('/automation/runs', 'runs', 'Runs')}
      {tab('/automation/schedules', 'schedules', 'Schedules')}
      {tab('/automation/safety', 'safety', 'Safety rules')}
    </nav>
  );
}

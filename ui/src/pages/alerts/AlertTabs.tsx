import { Link } from '../../router';

/** Alerts and silences, side by side. */
export function AlertTabs({ current }: { current: 'alerts' | 'silences' }) {
  const tab = (to: string, name: 'alerts' | 'silences', label: string) => (
    <Link to={to} className="filter" aria-current={current === name ? 'page' : undefined} data-testid={`alert-tab-${name}`}>
      {label}
    </Link>
  );
  return (
    <nav className="filters" aria-label="Alert center">
      {tab('/alerts', 'alerts', 'Alerts')}
      {tab('/alerts/silences', 'silences', 'Silences')}
    </nav>
  );
}

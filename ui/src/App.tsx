import { useEffect } from 'react';
import { IncidentDetail } from './pages/IncidentDetail';
import { IncidentList } from './pages/IncidentList';
import { NewIncident } from './pages/NewIncident';
import { NotFound } from './pages/NotFound';
import { Link, match, navigate, useLocation } from './router';

export function App() {
  const location = useLocation();
  const route = match(location.pathname);

  const redirectTo = route.name === 'redirect' ? route.to : null;

  useEffect(() => {
    if (redirectTo) navigate(redirectTo, { replace: true });
  }, [redirectTo]);

  const section = route.name === 'new' ? 'new' : route.name === 'list' || route.name === 'detail' ? 'incidents' : null;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-inner">
          <Link to="/incidents" className="brand" aria-label="FlowDesk home">
            <span className="brand-mark" aria-hidden="true">
              <svg viewBox="0 0 32 32" width="28" height="28">
                <rect width="32" height="32" rx="8" fill="currentColor" />
                <path d="M9 10h14M9 16h10M9 22h6" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
              </svg>
            </span>
            <span className="brand-name">FlowDesk</span>
          </Link>
          <nav className="nav" aria-label="Main">
            <p className="nav-heading">Service desk</p>
            <Link to="/incidents" className="nav-link" aria-current={section === 'incidents' ? 'page' : undefined}>
              <NavIcon d="M12 9v4m0 4h.01M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
              <span>Incidents</span>
            </Link>
            <Link to="/incidents/new" className="nav-link" aria-current={section === 'new' ? 'page' : undefined}>
              <NavIcon d="M12 5v14M5 12h14" />
              <span>New incident</span>
            </Link>
          </nav>
          <div className="sidebar-foot">
            <span className="avatar" aria-hidden="true">
              A
            </span>
            <span className="sidebar-user">
              <span className="sidebar-user-name">anonymous</span>
              <span className="sidebar-user-role">Service desk agent</span>
            </span>
          </div>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {route.name === 'list' && <IncidentList key={location.search.toString()} />}
        {route.name === 'new' && <NewIncident />}
        {route.name === 'detail' && <IncidentDetail key={route.number} number={route.number} />}
        {route.name === 'notFound' && <NotFound />}
      </main>
    </div>
  );
}

function NavIcon({ d }: { d: string }) {
  return (
    <svg className="nav-icon" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}

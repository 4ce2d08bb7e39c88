import { useEffect, useRef, useState } from 'react';
import type { Me } from './api';
import { AccessDenied, BrandMark, ErrorAlert, NavIcon, PageHeader, Spinner } from './components';
import { initials, roleLabel } from './format';
import { AuditPage } from './pages/Audit';
import { GroupsPage } from './pages/Groups';
import { IncidentDetail } from './pages/IncidentDetail';
import { IncidentList } from './pages/IncidentList';
import { LoginPage } from './pages/Login';
import { NewIncident } from './pages/NewIncident';
import { NotFound } from './pages/NotFound';
import { CatalogPage } from './pages/portal/Catalog';
import { OrderItem } from './pages/portal/OrderItem';
import { ProfilePage } from './pages/Profile';
import { RolesPage } from './pages/Roles';
import { UsersPage } from './pages/Users';
import { Link, match, navigate, type Route, useLocation } from './router';
import { hasPermission, loadSession, signOut, useSession } from './session';

/** The permission each page needs; the server checks the same and answers 403 otherwise. */
const NEEDS: Partial<Record<Route['name'], { permission: string; title: string }>> = {
  list: { permission: 'incident.read', title: 'Incidents' },
  detail: { permission: 'incident.read', title: 'Incident' },
  new: { permission: 'incident.create', title: 'New incident' },
  users: { permission: 'identity.read', title: 'Users' },
  groups: { permission: 'identity.read', title: 'Groups' },
  roles: { permission: 'identity.read', title: 'Roles' },
  audit: { permission: 'audit.read', title: 'Audit trail' },
};

/** Where `/` leads: the incident list for those who may read it, else the profile. */
export function homePath(me: Me): string {
  return hasPermission(me, 'incident.read') ? '/incidents' : '/profile';
}

export function App() {
  const location = useLocation();
  const session = useSession();
  const route = match(location.pathname);
  const onLogin = route.name === 'login';

  // Signed out (never signed in, signed out, or the session ended): to the sign-in page,
  // remembering where the user was so that signing in returns there.
  const returnTo = session.status === 'signedOut' ? session.returnTo : null;
  const mustSignIn = session.status === 'signedOut' && !onLogin;
  useEffect(() => {
    if (mustSignIn) navigate(returnTo ? `/login?next=${encodeURIComponent(returnTo)}` : '/login', { replace: true });
  }, [mustSignIn, returnTo]);

  const me = session.status === 'signedIn' ? session.me : null;
  const redirectTo = route.name === 'redirect' ? (route.to === '/incidents' && me ? homePath(me) : route.to) : null;
  useEffect(() => {
    if (redirectTo && me) navigate(redirectTo, { replace: true });
  }, [redirectTo, me]);

  if (onLogin) return <LoginPage />;
  if (session.status === 'error') {
    return (
      <div className="auth-screen">
        <div className="auth-card">
          <Brand />
          <ErrorAlert problem={session.problem}>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => void loadSession()}>
              Try again
            </button>
          </ErrorAlert>
        </div>
      </div>
    );
  }
  if (!me) {
    return (
      <div className="auth-screen">
        <Spinner label="Checking your session…" />
      </div>
    );
  }

  const section =
    route.name === 'new' ? 'new' : route.name === 'list' || route.name === 'detail' ? 'incidents' : route.name;
  const can = (permission: string) => hasPermission(me, permission);
  const need = NEEDS[route.name];
  const denied = need && !can(need.permission) ? need : null;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-inner">
          <Link to="/" className="brand" aria-label="FlowDesk home">
            <BrandMark />
            <span className="brand-name">FlowDesk</span>
          </Link>
          <nav className="nav" aria-label="Main">
            <p className="nav-heading">Self-service</p>
            <Link to="/portal/catalog" className="nav-link" aria-current={section === 'catalog' || section === 'catalogItem' ? 'page' : undefined} data-testid="nav-catalog">
              <NavIcon d="M3 7h18l-2 12H5L3 7Zm5 0V5a4 4 0 0 1 8 0v2" />
              <span>Catalog</span>
            </Link>
            {(can('incident.read') || can('incident.create')) && <p className="nav-heading nav-heading-gap">Service desk</p>}
            {can('incident.read') && (
              <Link to="/incidents" className="nav-link" aria-current={section === 'incidents' ? 'page' : undefined}>
                <NavIcon d="M12 9v4m0 4h.01M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
                <span>Incidents</span>
              </Link>
            )}
            {can('incident.create') && (
              <Link to="/incidents/new" className="nav-link" aria-current={section === 'new' ? 'page' : undefined}>
                <NavIcon d="M12 5v14M5 12h14" />
                <span>New incident</span>
              </Link>
            )}
            {(can('identity.read') || can('audit.read')) && <p className="nav-heading nav-heading-gap">Administration</p>}
            {can('identity.read') && (
              <>
                <Link to="/admin/users" className="nav-link" aria-current={section === 'users' ? 'page' : undefined} data-testid="nav-users">
                  <NavIcon d="M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm13 10v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8" />
                  <span>Users</span>
                </Link>
                <Link to="/admin/groups" className="nav-link" aria-current={section === 'groups' ? 'page' : undefined} data-testid="nav-groups">
                  <NavIcon d="M3 7h18M3 12h18M3 17h18M7 3v4m10-4v4" />
                  <span>Groups</span>
                </Link>
                <Link to="/admin/roles" className="nav-link" aria-current={section === 'roles' ? 'page' : undefined} data-testid="nav-roles">
                  <NavIcon d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Zm-3 10 2 2 4-4" />
                  <span>Roles</span>
                </Link>
              </>
            )}
            {can('audit.read') && (
              <Link to="/audit" className="nav-link" aria-current={section === 'audit' ? 'page' : undefined} data-testid="nav-audit">
                <NavIcon d="M9 5H7a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-2M9 5a2 2 0 0 0 2 2h2a2 2 0 0 0 2-2M9 5a2 2 0 0 1 2-2h2a2 2 0 0 1 2 2m-6 9 2 2 4-4" />
                <span>Audit trail</span>
              </Link>
            )}
          </nav>
          <UserMenu me={me} />
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {denied ? (
          <div className="page page-narrow">
            <PageHeader title={denied.title} />
            <AccessDenied permission={denied.permission} />
          </div>
        ) : (
          <>
            {route.name === 'list' && <IncidentList key={location.search.toString()} />}
            {route.name === 'new' && <NewIncident />}
            {route.name === 'detail' && <IncidentDetail key={route.number} number={route.number} />}
            {route.name === 'profile' && <ProfilePage />}
            {route.name === 'users' && <UsersPage />}
            {route.name === 'groups' && <GroupsPage />}
            {route.name === 'roles' && <RolesPage />}
            {route.name === 'audit' && <AuditPage />}
            {route.name === 'catalog' && <CatalogPage />}
            {route.name === 'catalogItem' && <OrderItem key={route.id} id={route.id} />}
            {route.name === 'notFound' && <NotFound />}
          </>
        )}
      </main>
    </div>
  );
}

function Brand() {
  return (
    <div className="auth-brand">
      <BrandMark size={36} />
      <span className="auth-brand-name">FlowDesk</span>
    </div>
  );
}

function UserMenu({ me }: { me: Me }) {
  const [open, setOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const { pathname } = useLocation();

  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: MouseEvent) => {
      if (ref.current && !ref.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('mousedown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const { user } = me;
  const roles = user.roles.length ? user.roles.map(roleLabel).join(', ') : 'No roles';

  async function doSignOut() {
    setSigningOut(true);
    await signOut();
  }

  return (
    <div className="user-menu" ref={ref} data-testid="user-menu">
      {open && (
        <div className="user-menu-pop" role="menu" id="user-menu-pop" aria-label="Account">
          <div className="user-menu-head">
            <span className="user-menu-name">{user.displayName}</span>
            <span className="muted small">
              {user.username}
              {user.email ? ` · ${user.email}` : ''}
            </span>
          </div>
          <Link to="/profile" role="menuitem" className="user-menu-item" data-testid="menu-profile" onClick={() => setOpen(false)}>
            <NavIcon d="M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Z" />
            Profile &amp; API tokens
          </Link>
          <button type="button" role="menuitem" className="user-menu-item" data-testid="sign-out" onClick={() => void doSignOut()} disabled={signingOut}>
            <NavIcon d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9" />
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      )}
      <button
        type="button"
        ref={buttonRef}
        className="user-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? 'user-menu-pop' : undefined}
        onClick={() => setOpen((o) => !o)}
        data-testid="user-menu-button"
        title={`${user.displayName} (${user.username})`}
      >
        <span className="avatar" aria-hidden="true">
          {initials(user.displayName || user.username)}
        </span>
        <span className="sidebar-user">
          <span className="sidebar-user-name" data-testid="user-name">
            {user.displayName}
          </span>
          <span className="sidebar-user-role" data-testid="user-roles">
            {roles}
          </span>
        </span>
        <svg className="user-chevron" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
          <path d="m7 15 5-5 5 5" />
        </svg>
      </button>
    </div>
  );
}

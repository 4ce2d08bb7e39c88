import type { ReactNode } from 'react';
import type { Priority, Problem, TicketState } from './api';
import { PERMISSION_LABELS, PRIORITY_LABELS, roleLabel, STATE_LABELS } from './format';
import { Link } from './router';
import { useMe } from './session';

export function StateBadge({ state }: { state: TicketState }) {
  return (
    <span className={`badge state state-${state}`} data-testid="state" data-state={state}>
      <span className="dot" aria-hidden="true" />
      {STATE_LABELS[state]}
    </span>
  );
}

export function PriorityBadge({ priority, long = false }: { priority: Priority; long?: boolean }) {
  return (
    <span className={`badge priority priority-${priority.toLowerCase()}`} data-testid="priority" title={`${priority} · ${PRIORITY_LABELS[priority]}`}>
      {priority}
      {long && <span className="priority-label"> · {PRIORITY_LABELS[priority]}</span>}
    </span>
  );
}

/** A visible, announced error; shows the server's detail verbatim. */
export function ErrorAlert({ problem, children, onDismiss }: { problem: Problem; children?: ReactNode; onDismiss?: () => void }) {
  return (
    <div className="alert alert-error" role="alert" data-testid="error">
      <div className="alert-icon" aria-hidden="true">
        !
      </div>
      <div className="alert-body">
        <p className="alert-title">{problem.title}</p>
        <p className="alert-detail" data-testid="error-detail">
          {problem.detail}
        </p>
        {problem.requestId && <p className="alert-meta">Request id {problem.requestId}</p>}
        {children && <div className="alert-actions">{children}</div>}
      </div>
      {onDismiss && (
        <button type="button" className="alert-close" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}

export function SuccessNotice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-success" role="status" data-testid="notice">
      <div className="alert-icon" aria-hidden="true">
        ✓
      </div>
      <div className="alert-body">
        <p className="alert-detail">{children}</p>
      </div>
    </div>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function FieldMessage({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id} data-testid={`field-error-${id.replace(/-error$/, '')}`}>
      {message}
    </p>
  );
}

export function PageHeader({ title, subtitle, actions, eyebrow }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; eyebrow?: ReactNode }) {
  return (
    <header className="page-header">
      <div className="page-heading">
        {eyebrow && <div className="eyebrow">{eyebrow}</div>}
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

/** The permission a 403 names ("this needs the permission 'identity.read', …"), if any. */
export function permissionIn(detail: string | undefined): string | undefined {
  return /permission '([a-z_.]+)'/.exec(detail ?? '')?.[1];
}

/**
 * What a user sees instead of a page they may not use: which permission is missing,
 * what it would allow, who they are signed in as, and where to go instead.
 */
export function AccessDenied({ detail, permission }: { detail?: string; permission?: string }) {
  const me = useMe();
  const needed = permission ?? permissionIn(detail);
  const roles = me?.user.roles ?? [];
  return (
    <section className="card denied" role="alert" data-testid="access-denied">
      <div className="denied-icon" aria-hidden="true">
        <svg viewBox="0 0 24 24" width="26" height="26" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <rect x="4" y="11" width="16" height="10" rx="2" />
          <path d="M8 11V7a4 4 0 0 1 8 0v4" />
        </svg>
      </div>
      <div className="denied-body">
        <h2 className="denied-title">Access denied</h2>
        <p className="denied-detail" data-testid="access-denied-detail">
          {detail ?? (needed ? `This page needs the permission '${needed}', which your roles do not grant.` : 'Your roles do not allow this.')}
        </p>
        {needed && (
          <p className="denied-permission">
            <code>{needed}</code>
            {PERMISSION_LABELS[needed] && <span className="muted"> — {PERMISSION_LABELS[needed]}</span>}
          </p>
        )}
        {me && (
          <p className="muted small">
            You are signed in as <strong>{me.user.displayName}</strong> ({me.user.username})
            {roles.length ? <> with the role{roles.length === 1 ? '' : 's'} {roles.map(roleLabel).join(', ')}</> : <> without any role</>}. Ask an administrator for a role that includes it.
          </p>
        )}
        <div className="denied-actions">
          <Link to="/" className="btn btn-secondary btn-sm">
            Go to my start page
          </Link>
          <Link to="/profile" className="btn btn-ghost btn-sm">
            See my permissions
          </Link>
        </div>
      </div>
    </section>
  );
}

/** A failed load: an explained access-denied state for 403, the server's problem otherwise. */
export function ProblemView({ problem, onRetry, onDismiss }: { problem: Problem; onRetry?: () => void; onDismiss?: () => void }) {
  if (problem.status === 403) return <AccessDenied detail={problem.detail} />;
  return (
    <ErrorAlert problem={problem} onDismiss={onDismiss}>
      {onRetry && (
        <button type="button" className="btn btn-secondary btn-sm" onClick={onRetry}>
          Try again
        </button>
      )}
    </ErrorAlert>
  );
}

export function RoleBadge({ role }: { role: string }) {
  return (
    <span className={`badge role role-${role}`} data-testid="role-badge" data-role={role}>
      {roleLabel(role)}
    </span>
  );
}

export function Tag({ children, tone = 'neutral', testId, title }: { children: ReactNode; tone?: 'neutral' | 'green' | 'red' | 'amber' | 'blue' | 'violet'; testId?: string; title?: string }) {
  return (
    <span className={`badge tag tag-${tone}`} data-testid={testId} title={title}>
      {children}
    </span>
  );
}

export function PermissionChip({ permission, description }: { permission: string; description?: string }) {
  return (
    <span className="perm" title={description ?? PERMISSION_LABELS[permission]} data-permission={permission}>
      {permission}
    </span>
  );
}

/** A side panel's header with a close button (used by the admin editors). */
export function PanelHeader({ title, subtitle, onClose }: { title: ReactNode; subtitle?: ReactNode; onClose: () => void }) {
  return (
    <div className="panel-header">
      <div>
        <h2 className="card-title">{title}</h2>
        {subtitle && <p className="muted small">{subtitle}</p>}
      </div>
      <button type="button" className="alert-close" onClick={onClose} aria-label="Close panel" data-testid="panel-close">
        ×
      </button>
    </div>
  );
}

export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <span className="brand-mark" aria-hidden="true">
      <svg viewBox="0 0 32 32" width={size} height={size}>
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path d="M9 10h14M9 16h10M9 22h6" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
      </svg>
    </span>
  );
}

export function NavIcon({ d }: { d: string }) {
  return (
    <svg className="nav-icon" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}

import type { ReactNode } from 'react';
import type { IncidentState, Priority, Problem } from './api';
import { PRIORITY_LABELS, STATE_LABELS } from './format';

export function StateBadge({ state }: { state: IncidentState }) {
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

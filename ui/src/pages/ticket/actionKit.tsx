import { type FormEvent, type ReactNode, useState } from 'react';
import { type ActionBodies, type ActionType, act, ApiError, type Problem, toProblem } from '../../api';
import { ErrorAlert } from '../../components';
import { useTicketScope } from './ticketContext';

/**
 * Runs actions on the ticket with the version on screen (If-Match), keeping the failure to
 * show where the action was asked for, with the server's field messages by field.
 */
export function useAct() {
  const { ticket, done } = useTicketScope();
  const [busy, setBusy] = useState<ActionType | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function run<A extends ActionType>(type: A, body: ActionBodies[A], message: string): Promise<boolean> {
    setBusy(type);
    setProblem(null);
    setFieldErrors({});
    try {
      const next = await act(ticket.number, type, body, ticket.version);
      done(next, message);
      return true;
    } catch (error) {
      setProblem(toProblem(error));
      if (error instanceof ApiError) setFieldErrors(error.fieldErrors());
      return false;
    } finally {
      setBusy(null);
    }
  }

  return { run, busy, problem, fieldErrors, dismiss: () => setProblem(null) };
}

/** A failed action: 409 says why it is not possible now; 412 offers to reload the changed ticket. */
export function ActionProblem({ problem, onDismiss }: { problem: Problem | null; onDismiss: () => void }) {
  const { reload } = useTicketScope();
  const [reloading, setReloading] = useState(false);
  if (!problem) return null;
  if (problem.status !== 412) return <ErrorAlert problem={problem} onDismiss={onDismiss} />;
  return (
    <ErrorAlert problem={{ ...problem, title: 'Changed by someone else — reload' }} onDismiss={onDismiss}>
      <button
        type="button"
        className="btn btn-secondary btn-sm"
        disabled={reloading}
        data-testid="reload-after-412"
        onClick={async () => {
          setReloading(true);
          await reload();
          setReloading(false);
          onDismiss();
        }}
      >
        {reloading ? 'Reloading…' : 'Reload ticket'}
      </button>
    </ErrorAlert>
  );
}

interface ActionFormProps {
  name: string;
  title: string;
  submitLabel: string;
  busy: boolean;
  problem: Problem | null;
  onDismiss: () => void;
  onSubmit: () => void;
  children: ReactNode;
  tone?: 'primary' | 'success' | 'danger';
}

/** An action's form in the side panel: its fields, the failure if any, submit and cancel (Esc). */
export function ActionForm({ name, title, submitLabel, busy, problem, onDismiss, onSubmit, children, tone = 'primary' }: ActionFormProps) {
  const { setForm } = useTicketScope();
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit();
  }
  return (
    <form className="action action-form" onSubmit={submit} noValidate aria-label={title} data-testid={`form-${name}`}>
      <h3 className="subheading">{title}</h3>
      <ActionProblem problem={problem} onDismiss={onDismiss} />
      {children}
      <div className="action-form-buttons">
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setForm(null)} aria-keyshortcuts="Escape">
          Cancel
        </button>
        <button type="submit" className={`btn btn-${tone} btn-sm`} disabled={busy} data-testid={`submit-${name}`}>
          {busy ? 'Working…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

interface TextFieldProps {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  multiline?: boolean;
  optional?: boolean;
  placeholder?: string;
  list?: string;
  autoFocus?: boolean;
}

/** A labelled text input or textarea with its error message, for the action forms. */
export function TextField({ id, label, value, onChange, error, multiline, optional, placeholder, list, autoFocus }: TextFieldProps) {
  const common = {
    id,
    value,
    placeholder,
    autoFocus,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
  } as const;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="optional">optional</span>}
      </label>
      {multiline ? <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value)} /> : <input {...common} type="text" list={list} autoComplete="off" onChange={(e) => onChange(e.target.value)} />}
      {error && (
        <p className="field-error" id={`${id}-error`} data-testid={`field-error-${id}`}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * Renders a catalog item's form schema as a form and checks it with the same
 * validateAnswers() the server applies: on blur for the field left, on submit for all.
 * The inputs keep what the user typed through every error, client or server.
 */
import { type FormEvent, type ReactNode, useState } from 'react';
import { type AnswerError, type Answers, fieldOrder, type FormField, type FormSchema, isRequired, validateAnswers } from '../api/catalog';
import { FieldMessage } from '../components';

/** What the inputs hold: text exactly as typed (numbers too), ticks as booleans. */
export type Draft = Record<string, string | boolean>;

export function initialDraft(form: FormSchema): Draft {
  const draft: Draft = {};
  for (const [name, field] of Object.entries(form.properties)) {
    draft[name] = field.type === 'boolean' ? field.default === true : field.default === undefined ? '' : String(field.default);
  }
  return draft;
}

/** The draft as answers: empty inputs are left out, so required checks and defaults apply as on the server. */
export function answersOf(draft: Draft): Record<string, string | boolean> {
  return Object.fromEntries(Object.entries(draft).filter(([, value]) => value !== ''));
}

function byField(errors: AnswerError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { field, message } of errors) out[field] ??= message;
  return out;
}

const inputId = (name: string) => `answer-${name}`;

interface SchemaFormProps {
  form: FormSchema;
  /** The server's messages by field name; each shows until its field is changed. */
  serverErrors?: Record<string, string>;
  submitting?: boolean;
  submitLabel: string;
  submittingLabel: string;
  /** Called with the validated, typed answers (defaults applied). */
  onSubmit: (answers: Answers) => void;
  /** Links or buttons beside the submit button, e.g. Cancel. */
  secondary?: ReactNode;
  /** A second way to submit the same answers (e.g. a dry run), validated alike. */
  alternative?: { label: string; busyLabel: string; busy: boolean; onSubmit: (answers: Answers) => void };
  label: string;
}

const NO_ERRORS: Record<string, string> = {};

export function SchemaForm({ form, serverErrors = NO_ERRORS, submitting = false, submitLabel, submittingLabel, onSubmit, secondary, alternative, label }: SchemaFormProps) {
  const [draft, setDraft] = useState<Draft>(() => initialDraft(form));
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  // Server messages go stale once their field changes; a new answer brings fresh ones.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const [serverSeen, setServerSeen] = useState(serverErrors);
  if (serverSeen !== serverErrors) {
    setServerSeen(serverErrors);
    setEdited(new Set());
  }

  const result = validateAnswers(form, answersOf(draft));
  const clientErrors = result.ok ? NO_ERRORS : byField(result.errors);
  const errorOf = (name: string): string | undefined => ((attempted || touched.has(name)) && clientErrors[name]) || (!edited.has(name) ? serverErrors[name] : undefined);
  const names = fieldOrder(form);
  const invalid = names.filter((name) => errorOf(name));

  function change(name: string, value: string | boolean) {
    setDraft((current) => ({ ...current, [name]: value }));
    setEdited((current) => new Set(current).add(name));
  }

  function blur(name: string) {
    setTouched((current) => (current.has(name) ? current : new Set(current).add(name)));
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    if (result.ok) {
      const submitter = (event.nativeEvent as SubmitEvent).submitter;
      (alternative && submitter?.dataset.action === 'alternative' ? alternative.onSubmit : onSubmit)(result.answers);
      return;
    }
    const first = names.find((name) => clientErrors[name]);
    if (first) document.getElementById(inputId(first))?.focus();
  }

  return (
    <form className="card form schema-form" onSubmit={submit} noValidate aria-label={label} data-testid="schema-form">
      {names.some((name) => isRequired(form, name)) && (
        <p className="hint schema-form-legend">
          Fields marked <span className="required-mark" aria-hidden="true">*</span>
          <span className="sr-only">with an asterisk</span> are required.
        </p>
      )}
      {names.map((name) => (
        <SchemaField
          key={name}
          name={name}
          field={form.properties[name]!}
          required={isRequired(form, name)}
          value={draft[name] ?? ''}
          error={errorOf(name)}
          onChange={(value) => change(name, value)}
          onBlur={() => blur(name)}
        />
      ))}
      {attempted && invalid.length > 0 && (
        <p className="schema-form-summary" role="alert" data-testid="schema-form-summary">
          {invalid.length === 1 ? 'One field needs your attention.' : `${invalid.length} fields need your attention.`}
        </p>
      )}
      <div className="form-actions">
        {secondary}
        {/* Before the primary button, so Enter in a field takes the alternative: for a run, the harmless dry run. */}
        {alternative && (
          <button type="submit" className="btn" data-action="alternative" disabled={submitting || alternative.busy} data-testid="schema-form-alternative">
            {alternative.busy ? alternative.busyLabel : alternative.label}
          </button>
        )}
        <button type="submit" className="btn btn-primary" disabled={submitting} data-testid="schema-form-submit">
          {submitting ? submittingLabel : submitLabel}
        </button>
      </div>
    </form>
  );
}

interface SchemaFieldProps {
  name: string;
  field: FormField;
  required: boolean;
  value: string | boolean;
  error: string | undefined;
  onChange: (value: string | boolean) => void;
  onBlur: () => void;
}

function SchemaField({ name, field, required, value, error, onChange, onBlur }: SchemaFieldProps) {
  const id = inputId(name);
  const hintId = field.description ? `${id}-hint` : undefined;
  const describedBy = [hintId, error ? `${id}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const aria = { id, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, onBlur };

  if (field.type === 'boolean') {
    // A tick box always has an answer; only `enum: [true]` makes the tick itself mandatory.
    const mustTick = field.enum?.length === 1 && field.enum[0] === true;
    return (
      <div className={`field${error ? ' has-error' : ''}`} data-field={name}>
        <label className="check" htmlFor={id}>
          <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} aria-required={mustTick || undefined} {...aria} />
          <span>
            {field.title}
            {mustTick && <RequiredMark />}
            {field.description && (
              <span className="check-desc" id={hintId}>
                {field.description}
              </span>
            )}
          </span>
        </label>
        <FieldMessage id={`${id}-error`} message={error} />
      </div>
    );
  }

  const text = typeof value === 'string' ? value : '';
  return (
    <div className={`field${error ? ' has-error' : ''}`} data-field={name}>
      <label htmlFor={id}>
        {field.title}
        {required && <RequiredMark />}
      </label>
      <FieldInput field={field} required={required} value={text} onChange={onChange} aria={aria} />
      {field.description && (
        <p className="hint" id={hintId}>
          {field.description}
        </p>
      )}
      <div className="field-row">
        <FieldMessage id={`${id}-error`} message={error} />
        {field.maxLength !== undefined && !field.enum && (
          <span className="hint counter" aria-hidden="true">
            {[...text.trim()].length}/{field.maxLength}
          </span>
        )}
      </div>
    </div>
  );
}

interface InputAria {
  id: string;
  name: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
  onBlur: () => void;
}

/** The widget for a non-boolean field: select for choices, textarea, or a typed input. */
function FieldInput({ field, required, value, onChange, aria }: { field: FormField; required: boolean; value: string; onChange: (value: string) => void; aria: InputAria }) {
  const common = { ...aria, value, 'aria-required': required || undefined };
  if (field.enum) {
    return (
      <select {...common} onChange={(e) => onChange(e.target.value)}>
        {field.default === undefined && <option value="">{required ? 'Choose…' : '— None —'}</option>}
        {field.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  }
  if (field['x-widget'] === 'textarea') return <textarea {...common} rows={4} onChange={(e) => onChange(e.target.value)} />;
  const type = field.format === 'date' ? 'date' : field.format === 'email' ? 'email' : 'text';
  // Numbers are typed as text so that what was typed stays visible and the shared
  // validator, not the browser, explains what is wrong with it.
  const inputMode = field.type === 'integer' ? 'numeric' : field.type === 'number' ? 'decimal' : undefined;
  return <input {...common} type={type} inputMode={inputMode} autoComplete={field.format === 'email' ? 'email' : 'off'} spellCheck={field.type === 'string' && !field.format && !field.pattern} onChange={(e) => onChange(e.target.value)} />;
}

function RequiredMark() {
  return (
    <>
      <span className="required-mark" aria-hidden="true">
        *
      </span>
      <span className="sr-only"> (required)</span>
    </>
  );
}

import { type FormEvent, useState } from 'react';
import { ApiError, type Ci, type CmdbClass, createCi, type Problem, toProblem, updateCi } from '../../api';
import { ErrorAlert, FieldMessage } from '../../components';
import { AttributeInput, textOf, valueOf } from './AttributeInput';

/**
 * Creates a CI of a class or edits one: a field per attribute of the class (inherited ones
 * first), required ones checked here, everything else by the server, whose per-attribute
 * messages appear next to their fields. An edit sends only what changed, with If-Match.
 */
export function CiEditor({ cls, ci, onSaved, onCancel }: { cls: CmdbClass; ci?: Ci; onSaved: (ci: Ci) => void; onCancel: () => void }) {
  const [texts, setTexts] = useState<Record<string, string>>(() => Object.fromEntries(Object.keys(cls.attributes).map((name) => [name, textOf(ci?.attributes[name])])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saving, setSaving] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    const missing = Object.entries(cls.attributes).filter(([name, spec]) => spec.required && spec.default === undefined && !texts[name]?.trim());
    if (missing.length) {
      setErrors(Object.fromEntries(missing.map(([name]) => [`attributes.${name}`, 'required'])));
      return;
    }
    const attributes: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(cls.attributes)) {
      const value = valueOf(texts[name] ?? '', spec);
      if (!ci) {
        if (value !== undefined) attributes[name] = value;
      } else if ((texts[name] ?? '') !== textOf(ci.attributes[name])) attributes[name] = value ?? null;
    }
    setSaving(true);
    setProblem(null);
    setErrors({});
    try {
      onSaved(ci ? await updateCi(ci.id, ci.version, attributes) : await createCi(cls.name, attributes));
    } catch (e) {
      const p = toProblem(e);
      setProblem(p.status === 412 ? { ...p, detail: 'Someone else changed this CI since you opened it. Reload the page to see their change, then edit again.' } : p);
      if (e instanceof ApiError) setErrors(e.fieldErrors());
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="card ci-editor" onSubmit={(e) => void save(e)} aria-label={ci ? 'Edit CI' : `New ${cls.label}`} noValidate data-testid="ci-editor">
      <h2 className="card-title">{ci ? `Edit ${String(ci.attributes.name ?? ci.id)}` : `New ${cls.label}`}</h2>
      {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
      <div className="ci-editor-fields">
        {Object.entries(cls.attributes).map(([name, spec]) => (
          <div className={`field${errors[`attributes.${name}`] ? ' field-invalid' : ''}`} key={name} data-attribute={name}>
            <label htmlFor={`attr-${name}`}>
              {spec.label ?? name}
              {spec.required && <span aria-hidden="true"> *</span>}
            </label>
            <AttributeInput name={name} spec={spec} value={texts[name] ?? ''} onChange={(text) => setTexts((t) => ({ ...t, [name]: text }))} describedBy={`attr-${name}-error`} />
            <FieldMessage id={`attr-${name}-error`} message={errors[`attributes.${name}`]} />
          </div>
        ))}
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving}>{saving ? 'Saving…' : ci ? 'Save changes' : 'Create CI'}</button>{' '}
        <button type="button" className="btn btn-secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { ApiError, type Problem, toProblem } from '../../api';
import {
  discardDraft,
  getLibraryEntry,
  type LibraryEntry,
  type LibraryKind,
  publishDraft,
  type RunbookDefinition,
  saveDraft,
  SCRIPT_LANGUAGES,
  type ScriptDefinition,
  type ScriptLanguage,
} from '../../api/automation';
import { ErrorAlert, FieldMessage, Spinner, SuccessNotice } from '../../components';
import { formatDateTime } from '../../format';
import { NEW_RUNBOOK, NEW_SCRIPT, parseRunbook, runbookText, useYaml, type Yaml } from './definitionText';

interface Props {
  kind: LibraryKind;
  id: string;
  /** Null for an entry not created yet: its first save creates it. */
  entry: LibraryEntry | null;
  onSaved: (entry: LibraryEntry) => void;
  onPublished: (version: number) => void;
  onDiscarded: () => void;
}

/** What the editor holds: a runbook as YAML text, a script as its fields. */
type Source = { kind: 'runbook'; text: string } | { kind: 'script'; script: ScriptDefinition };

function sourceOf(yaml: Yaml | null, kind: LibraryKind, entry: LibraryEntry | null, from: 'draft' | 'latest' = 'draft'): Source {
  const definition = (from === 'draft' ? entry?.draft?.definition : undefined) ?? entry?.latest?.definition;
  if (kind === 'runbook') return { kind, text: runbookText(yaml!, (definition as RunbookDefinition | undefined) ?? NEW_RUNBOOK) };
  const script = (definition as ScriptDefinition | undefined) ?? NEW_SCRIPT;
  return { kind, script: { name: script.name, description: script.description ?? '', language: script.language, body: script.body } };
}

const sameSource = (a: Source, b: Source) => JSON.stringify(a) === JSON.stringify(b);

/** A field path as the author knows it: `steps.0.type`, not `body.steps.0.type` or `draft.steps.0.type`. */
const pathOf = (field: string) => field.replace(/^(body|draft)\.?/, '') || '(the whole definition)';

/**
 * The draft editor: the YAML of a runbook (or a script's fields and body) in a textarea,
 * saved with If-Match so nobody's save is lost, published with a required note. The
 * server checks everything and its answers are shown field by field.
 */
export function DraftEditor(props: Props) {
  const yaml = useYaml();
  if (props.kind === 'runbook' && !yaml) return <Spinner label="Loading the editor…" />;
  return <Editor {...props} yaml={yaml} />;
}

function Editor({ kind, id, entry, onSaved, onPublished, onDiscarded, yaml }: Props & { yaml: Yaml | null }) {
  const [source, setSource] = useState<Source>(() => sourceOf(yaml, kind, entry));
  // What was last saved as the draft: editing away from it makes the editor dirty.
  const [saved, setSaved] = useState<Source | null>(() => (entry?.draft ? sourceOf(yaml, kind, entry) : null));
  const [revision, setRevision] = useState<number | undefined>(entry?.revision);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | undefined>();
  const [parseError, setParseError] = useState<string | undefined>();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<'save' | 'publish' | 'discard' | null>(null);
  const dirty = !saved || !sameSource(source, saved);
  const next = (entry?.latestVersion ?? 0) + 1;

  function definitionOf(current: Source): Record<string, unknown> | null {
    if (current.kind === 'script') {
      const { description, ...rest } = current.script;
      return { ...rest, ...(description?.trim() && { description }) };
    }
    const parsed = parseRunbook(yaml!, current.text);
    if (!parsed.ok) {
      setParseError(`Not valid YAML: ${parsed.message}`);
      return null;
    }
    setParseError(undefined);
    return parsed.definition;
  }

  /** Saves the draft; answers the entry's new revision, or null when it did not save. */
  async function save(): Promise<number | null> {
    const definition = definitionOf(source);
    if (!definition) return null;
    setProblem(null);
    try {
      const result = await saveDraft(kind, id, definition, revision);
      setRevision(result.revision);
      setSaved(source);
      onSaved(result);
      return result.revision;
    } catch (e) {
      setProblem(toProblem(e));
      return null;
    }
  }

  async function onSave() {
    setBusy('save');
    setNotice(null);
    if ((await save()) !== null) setNotice(`Draft saved ${formatDateTime(new Date().toISOString())}.`);
    setBusy(null);
  }

  async function onPublish(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    if (!note.trim()) {
      setNoteError('Say what changed: the note is kept with the version.');
      document.getElementById('publish-note')?.focus();
      return;
    }
    setNoteError(undefined);
    setBusy('publish');
    // Publishing takes the saved draft: save what is in the editor first.
    const current = dirty ? await save() : revision;
    if (current === null) {
      setBusy(null);
      return;
    }
    try {
      const version = await publishDraft(kind, id, note.trim(), current);
      setNote('');
      onPublished(version.version);
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setBusy(null);
    }
  }

  async function onDiscard() {
    if (!window.confirm(`Throw away the draft of ${id}? The published versions stay as they are.`)) return;
    setBusy('discard');
    setProblem(null);
    try {
      await discardDraft(kind, id, revision);
      onDiscarded();
    } catch (e) {
      setProblem(toProblem(e));
      setBusy(null);
    }
  }

  /** After a 412: take the draft as it is now on the server (what was typed here is replaced). */
  async function loadCurrent() {
    setProblem(null);
    try {
      const fresh = await getLibraryEntry(kind, id);
      onSaved(fresh);
      setRevision(fresh.revision);
      setSource(sourceOf(yaml, kind, fresh));
      setSaved(fresh.draft ? sourceOf(yaml, kind, fresh) : null);
    } catch (e) {
      setProblem(toProblem(e));
    }
  }

  function startFromLatest() {
    if (dirty && saved && !window.confirm('Replace the editor’s text with the latest published version?')) return;
    setSource(sourceOf(yaml, kind, entry, 'latest'));
  }

  const saveShortcut = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      void onSave();
    }
  };

  const fieldErrors = problem ? new ApiError(problem).fieldErrors() : {};
  const fieldError = (name: string) => fieldErrors[name] ?? fieldErrors[`draft.${name}`];

  return (
    <div className="editor-layout">
      <section className="card" aria-labelledby="editor-title" data-testid="draft-editor">
        <div className="card-head">
          <h2 className="card-title" id="editor-title">
            {entry?.draft ? 'Draft' : entry ? `New draft from version ${entry.latestVersion}` : `New ${kind}`}
            {entry?.draft && (
              <span className="muted small">
                {' '}
                saved by {entry.draft.savedBy} {formatDateTime(entry.draft.savedAt)}
              </span>
            )}
            {dirty && saved && <span className="mini-tag" data-testid="unsaved">unsaved changes</span>}
          </h2>
          {entry?.latest && (
            <button type="button" className="btn btn-sm btn-ghost" onClick={startFromLatest}>
              Start from version {entry.latestVersion}
            </button>
          )}
        </div>
        {problem && (
          <ErrorAlert problem={problem} onDismiss={() => setProblem(null)}>
            {problem.errors && problem.errors.length > 0 && (
              <ul className="field-errors" data-testid="draft-errors">
                {problem.errors.map((e) => (
                  <li key={`${e.field}:${e.message}`}>
                    <code>{pathOf(e.field)}</code> {e.message}
                  </li>
                ))}
              </ul>
            )}
            {problem.status === 412 && (
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => void loadCurrent()} data-testid="load-current">
                Load the current draft (replaces your text)
              </button>
            )}
          </ErrorAlert>
        )}
        {notice && <SuccessNotice>{notice}</SuccessNotice>}
        {source.kind === 'runbook' ? (
          <div className="field">
            <label htmlFor="draft-yaml">Runbook (YAML)</label>
            <textarea
              id="draft-yaml"
              className="code-editor"
              rows={28}
              value={source.text}
              onChange={(e) => setSource({ kind: 'runbook', text: e.target.value })}
              onKeyDown={saveShortcut}
              spellCheck={false}
              aria-invalid={parseError || problem?.errors?.length ? true : undefined}
              aria-describedby="draft-yaml-hint draft-yaml-error"
              data-testid="draft-yaml"
            />
            <p className="hint" id="draft-yaml-hint">
              The format is in docs/automation.md#runbook-format. Ctrl+S saves the draft.
            </p>
            <FieldMessage id="draft-yaml-error" message={parseError} />
          </div>
        ) : (
          <ScriptFields script={source.script} onChange={(script) => setSource({ kind: 'script', script })} error={fieldError} onKeyDown={saveShortcut} />
        )}
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={() => void onSave()} disabled={busy !== null || (!dirty && !!saved)} data-testid="save-draft">
            {busy === 'save' ? 'Saving…' : 'Save draft'}
          </button>
          {entry?.draft && (
            <button type="button" className="btn btn-ghost" onClick={() => void onDiscard()} disabled={busy !== null} data-testid="discard-draft">
              {busy === 'discard' ? 'Discarding…' : 'Discard draft'}
            </button>
          )}
        </div>
      </section>
      <form className="card publish-card" onSubmit={(e) => void onPublish(e)} aria-labelledby="publish-title" data-testid="publish-form" noValidate>
        <h2 className="card-title" id="publish-title">
          Publish as version {next}
        </h2>
        <p className="muted small">A published version never changes; runs name the version they ran. {dirty ? 'The editor’s text is saved as the draft first.' : ''}</p>
        <div className={`field${noteError || fieldErrors.note ? ' has-error' : ''}`}>
          <label htmlFor="publish-note">
            Change note <span className="required-mark" aria-hidden="true">*</span>
          </label>
          <textarea id="publish-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} aria-required aria-invalid={noteError ? true : undefined} aria-describedby="publish-note-error" placeholder="What changed, and why" data-testid="publish-note" />
          <FieldMessage id="publish-note-error" message={noteError ?? fieldErrors.note} />
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy !== null} data-testid="publish">
          {busy === 'publish' ? 'Publishing…' : `Publish version ${next}`}
        </button>
      </form>
    </div>
  );
}

function ScriptFields({ script, onChange, error, onKeyDown }: { script: ScriptDefinition; onChange: (script: ScriptDefinition) => void; error: (name: string) => string | undefined; onKeyDown: (event: KeyboardEvent) => void }) {
  const set = (patch: Partial<ScriptDefinition>) => onChange({ ...script, ...patch });
  const invalid = (name: string) => (error(name) ? true : undefined);
  return (
    <>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="script-name">Name</label>
          <input id="script-name" value={script.name} onChange={(e) => set({ name: e.target.value })} aria-invalid={invalid('name')} aria-describedby="script-name-error" />
          <FieldMessage id="script-name-error" message={error('name')} />
        </div>
        <div className="field">
          <label htmlFor="script-language">Language</label>
          <select id="script-language" value={script.language} onChange={(e) => set({ language: e.target.value as ScriptLanguage })} aria-invalid={invalid('language')} aria-describedby="script-language-error">
            {SCRIPT_LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
          <FieldMessage id="script-language-error" message={error('language')} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="script-description">
          Description <span className="optional">optional</span>
        </label>
        <input id="script-description" value={script.description ?? ''} onChange={(e) => set({ description: e.target.value })} aria-invalid={invalid('description')} aria-describedby="script-description-error" />
        <FieldMessage id="script-description-error" message={error('description')} />
      </div>
      <div className="field">
        <label htmlFor="script-body">Body</label>
        <textarea id="script-body" className="code-editor" rows={22} value={script.body} onChange={(e) => set({ body: e.target.value })} onKeyDown={onKeyDown} spellCheck={false} aria-invalid={invalid('body')} aria-describedby="script-body-error" data-testid="script-body" />
        <FieldMessage id="script-body-error" message={error('body')} />
      </div>
    </>
  );
}

import { useEffect, useState } from 'react';
import '../../automation.css';
import '../../portal.css';
import { ApiError, type Credential, type Problem, toProblem } from '../../api';
import type { Answers } from '../../api/catalog';
import { type DryRun, dryRun, getLibraryEntry, type LibraryEntry, listSshCredentials, type RunbookDefinition, startRun } from '../../api/automation';
import { ErrorAlert, PageHeader, ProblemView, Spinner } from '../../components';
import { SchemaForm } from '../../components/SchemaForm';
import { Link, navigate } from '../../router';
import { useCan } from '../../session';
import { RiskBadge } from './badges';
import { DryRunPanel } from './DryRunPanel';
import { TargetPreview } from './TargetPreview';

/** "Run…": the runbook's parameter form, an optional credential, where it would run, a dry run of it, then start and follow it. */
export function RunForm({ id }: { id: string }) {
  const can = useCan();
  const [entry, setEntry] = useState<LibraryEntry<'runbook'> | null>(null);
  const [loadError, setLoadError] = useState<Problem | null>(null);
  const [credentials, setCredentials] = useState<Credential[] | null>(null);
  const [credential, setCredential] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [starting, setStarting] = useState(false);
  const [dry, setDry] = useState<DryRun | null>(null);
  const [trying, setTrying] = useState(false);
  const base = `/automation/runbooks/${encodeURIComponent(id)}`;
  const readsCredentials = can('credential.read');

  useEffect(() => {
    const controller = new AbortController();
    getLibraryEntry('runbook', id, controller.signal).then(setEntry, (e: unknown) => !controller.signal.aborted && setLoadError(toProblem(e)));
    if (readsCredentials) listSshCredentials(controller.signal).then(setCredentials, () => !controller.signal.aborted && setCredentials([]));
    return () => controller.abort();
  }, [id, readsCredentials]);

  useEffect(() => {
    document.title = `Run ${entry?.name ?? id} · Automation · FlowDesk`;
  }, [entry, id]);

  const back = <Link to={base}>{entry?.name ?? id}</Link>;
  if (loadError) {
    return (
      <div className="page page-narrow automation">
        <PageHeader eyebrow={back} title="Run a runbook" />
        <ProblemView problem={loadError} />
      </div>
    );
  }
  if (!entry) {
    return (
      <div className="page automation">
        <Spinner label="Loading the runbook…" />
      </div>
    );
  }
  const latest = entry.latest;
  if (!latest) {
    return (
      <div className="page page-narrow automation">
        <PageHeader eyebrow={back} title={`Run ${entry.name}`} />
        <section className="card empty">
          <p className="empty-title">This runbook has no published version yet</p>
          <p className="muted">Only published versions run. Publish the draft first.</p>
        </section>
      </div>
    );
  }
  const definition = latest.definition;
  const approvals = definition.steps.filter((s) => s.type === 'approval');

  const request = (answers: Answers) => ({ runbook: id, version: latest!.version, params: answers, ...(credential && { credential }) });
  const failed = (e: unknown) => {
    setProblem(toProblem(e));
    setServerErrors(e instanceof ApiError ? paramErrors(e) : {});
  };

  async function start(answers: Answers) {
    setStarting(true);
    setProblem(null);
    try {
      const run = await startRun(request(answers));
      navigate(`/automation/runs/${encodeURIComponent(run.id)}`);
    } catch (e) {
      failed(e);
      setStarting(false);
    }
  }

  async function tryRun(answers: Answers) {
    setTrying(true);
    setProblem(null);
    setDry(null);
    try {
      setDry(await dryRun(request(answers)));
    } catch (e) {
      failed(e);
    } finally {
      setTrying(false);
    }
  }
  const alternative = { label: 'Dry run', busyLabel: 'Trying…', busy: trying, onSubmit: (answers: Answers) => void tryRun(answers) };

  return (
    <div className="page page-wide automation">
      <PageHeader
        eyebrow={back}
        title={`Run ${entry.name}`}
        subtitle={
          <span className="entry-meta">
            <span>Version {latest.version}</span>
            <RiskBadge risk={entry.risk} />
            {definition.description && <span className="muted">{definition.description}</span>}
          </span>
        }
      />
      {(definition.risk === 'high' || definition.risk === 'critical') && (
        <p className="alert alert-warning" role="note">
          This runbook is {definition.risk} risk: check the targets before you start it.
        </p>
      )}
      <div className="run-form-layout">
        <div className="stack-v">
          {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
          {Object.keys(definition.parameters?.properties ?? {}).length === 0 ? (
            <form
              className="card form"
              onSubmit={(e) => {
                e.preventDefault();
                void ((e.nativeEvent as SubmitEvent).submitter?.dataset.action === 'alternative' ? tryRun({}) : start({}));
              }}
              aria-label={`Start ${entry.name}`}
              data-testid="schema-form"
            >
              <h2 className="card-title">Parameters</h2>
              <p className="muted">This runbook takes no parameters: it runs the same on every host.</p>
              <div className="form-actions">
                <Link to={base} className="btn btn-ghost">
                  Cancel
                </Link>
                <button type="submit" className="btn" data-action="alternative" disabled={starting || trying} data-testid="schema-form-alternative">
                  {trying ? alternative.busyLabel : alternative.label}
                </button>
                <button type="submit" className="btn btn-primary" disabled={starting} data-testid="schema-form-submit">
                  {starting ? 'Starting…' : 'Start run'}
                </button>
              </div>
            </form>
          ) : (
            <SchemaForm
              form={definition.parameters!}
              serverErrors={serverErrors}
              submitting={starting}
              submitLabel="Start run"
              submittingLabel="Starting…"
              onSubmit={(answers) => void start(answers)}
              alternative={alternative}
              label={`Parameters of ${entry.name}`}
              secondary={
                <Link to={base} className="btn btn-ghost">
                  Cancel
                </Link>
              }
            />
          )}
          {dry && <DryRunPanel dry={dry} onClose={() => setDry(null)} />}
        </div>
        <aside className="stack-v">
          {readsCredentials && <CredentialPicker credentials={credentials} value={credential} onChange={setCredential} />}
          <TargetPreview selector={definition.targets.selector} />
          <RunOutline definition={definition} approvals={approvals.map((s) => s.id)} />
        </aside>
      </div>
    </div>
  );
}

function CredentialPicker({ credentials, value, onChange }: { credentials: Credential[] | null; value: string; onChange: (id: string) => void }) {
  return (
    <section className="card" aria-labelledby="credential-title">
      <h2 className="card-title" id="credential-title">
        Credential
      </h2>
      <div className="field">
        <label htmlFor="run-credential">
          SSH credential <span className="optional">optional</span>
        </label>
        <select id="run-credential" value={value} onChange={(e) => onChange(e.target.value)} disabled={credentials === null} aria-describedby="run-credential-hint" data-testid="run-credential">
          <option value="">Each host’s own (its CI’s ssh_credential)</option>
          {(credentials ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} · {c.kind === 'ssh_key' ? 'key' : 'password'}
              {c.username ? ` · ${c.username}` : ''}
            </option>
          ))}
        </select>
        <p className="hint" id="run-credential-hint">
          Used for hosts whose CI names no credential of its own.
        </p>
      </div>
    </section>
  );
}

function RunOutline({ definition, approvals }: { definition: RunbookDefinition; approvals: string[] }) {
  return (
    <section className="card" aria-labelledby="outline-title">
      <h2 className="card-title" id="outline-title">
        What it does
      </h2>
      <ol className="step-outline small">
        {definition.steps.map((s) => (
          <li key={s.id}>
            {s.name ?? s.id} <span className="mini-tag">{s.type}</span>
          </li>
        ))}
      </ol>
      {approvals.length > 0 && (
        <p className="small approval-note" data-testid="approval-note">
          The run pauses at {approvals.map((a) => `“${a}”`).join(', ')} until someone else approves it.
        </p>
      )}
      <p className="muted small">Parallelism {definition.strategy?.parallelism ?? 10}. You follow the run live once it starts, and can cancel it there.</p>
    </section>
  );
}

/** The server's messages for parameters (`body.params.<name>`), by field name. */
function paramErrors(error: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(error.fieldErrors())) {
    const name = /^params\.(.+)$/.exec(field)?.[1];
    if (name) out[name] = message;
  }
  return out;
}

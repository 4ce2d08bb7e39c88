import { type FormEvent, useState } from 'react';
import { ApiError, deleteDiscoveryJob, type DiscoveryJob, type JobDefinition, type Problem, saveDiscoveryJob, toProblem } from '../../api';
import { ErrorAlert, FieldMessage } from '../../components';

const TEMPLATES: Record<'network' | 'sync', JobDefinition> = {
  network: {
    description: '',
    kind: 'network',
    network: { targets: ['10.0.0.0/24'], exclude: [], ssh: { credential: 'cred-…', port: 22 }, snmp: { credential: 'cred-…', port: 161 }, concurrency: 16, timeoutSeconds: 10 },
    schedule: { every: '6h', paused: false },
  },
  sync: {
    description: '',
    kind: 'sync',
    sync: { url: 'https://inventory.example/api/vms', format: 'json', mapping: { class: 'virtual_machine', itemsPath: 'items', attributes: { name: 'name', hostname: 'name', primary_ip: 'ip' } } },
  },
};

function definitionOf(job: DiscoveryJob): JobDefinition {
  const { description, kind, network, sync, schedule } = job;
  return { description, kind, ...(network && { network }), ...(sync && { sync }), ...(schedule && { schedule }) };
}

/**
 * Creates or edits a job as its JSON definition (docs/cmdb.md#discovery-and-sync), the
 * way Rundeck and StackStorm users edit job definitions: the server checks targets,
 * credentials and mappings and says what is wrong, field by field.
 */
export function JobEditor({ job, onClose, onSaved }: { job: DiscoveryJob | null; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(job?.name ?? '');
  const [text, setText] = useState(JSON.stringify(job ? definitionOf(job) : TEMPLATES.network, null, 2));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [parseError, setParseError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    let definition: JobDefinition;
    try {
      definition = JSON.parse(text) as JobDefinition;
      setParseError(undefined);
    } catch (e) {
      setParseError(`not valid JSON: ${(e as Error).message}`);
      return;
    }
    setSaving(true);
    setProblem(null);
    try {
      await saveDiscoveryJob(name.trim(), definition);
      onSaved();
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setSaving(false);
    }
  }

  async function remove() {
    if (!job || !window.confirm(`Delete discovery job ${job.name} and its schedule? Its run reports stay.`)) return;
    try {
      await deleteDiscoveryJob(job.name);
      onSaved();
    } catch (e) {
      setProblem(toProblem(e));
    }
  }

  const fieldErrors = problem ? new ApiError(problem).fieldErrors() : {};
  return (
    <form className="card" onSubmit={(e) => void save(e)} aria-label={job ? `Edit job ${job.name}` : 'New discovery job'} data-testid="job-editor">
      <h2 className="card-title">{job ? `Edit ${job.name}` : 'New discovery job'}</h2>
      {problem && (
        <ErrorAlert problem={problem} onDismiss={() => setProblem(null)}>
          {problem.errors && problem.errors.length > 0 && (
            <ul data-testid="job-errors">
              {problem.errors.map((e) => (
                <li key={`${e.field}:${e.message}`}>
                  <code>{e.field.replace(/^body\./, '')}</code>: {e.message}
                </li>
              ))}
            </ul>
          )}
        </ErrorAlert>
      )}
      {!job && (
        <div className="field">
          <label htmlFor="job-name">Name</label>
          <input id="job-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="dc-a-servers" required pattern="[a-z0-9][a-z0-9-]{1,62}" aria-describedby="job-name-error" />
          <FieldMessage id="job-name-error" message={fieldErrors['params.name']} />
        </div>
      )}
      {!job && (
        <p className="small">
          Start from:{' '}
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setText(JSON.stringify(TEMPLATES.network, null, 2))}>Network sweep</button>{' '}
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setText(JSON.stringify(TEMPLATES.sync, null, 2))}>Inventory sync</button>
        </p>
      )}
      <div className="field">
        <label htmlFor="job-definition">Definition (JSON)</label>
        <textarea id="job-definition" className="mono" rows={18} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} aria-describedby="job-definition-error" />
        <FieldMessage id="job-definition-error" message={parseError} />
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving || !name.trim()}>{saving ? 'Saving…' : 'Save job'}</button>{' '}
        <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>{' '}
        {job && <button type="button" className="btn btn-ghost" onClick={() => void remove()}>Delete job</button>}
      </div>
    </form>
  );
}

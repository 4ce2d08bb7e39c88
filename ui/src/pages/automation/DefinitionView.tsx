import type { LibraryEntry, LibraryKind, RunbookDefinition, RunbookStep, ScriptDefinition } from '../../api/automation';
import { formatDateTime } from '../../format';
import { runbookText, useYaml } from './definitionText';

/** The latest published version, read-only: a runbook's outline and YAML, or a script's body. */
export function DefinitionView({ kind, entry, onEdit }: { kind: LibraryKind; entry: LibraryEntry | null; onEdit?: () => void }) {
  const yaml = useYaml();
  const latest = entry?.latest;
  if (!latest) {
    return (
      <section className="card empty" data-testid="no-version">
        <p className="empty-title">No published version yet</p>
        <p className="muted">{onEdit ? `Write the draft and publish it to make version 1; only published versions can run.` : 'An author publishes it; only published versions can run.'}</p>
        {onEdit && (
          <button type="button" className="btn btn-primary" onClick={onEdit}>
            Open the editor
          </button>
        )}
      </section>
    );
  }
  const definition = latest.definition;
  return (
    <div className="entry-layout">
      <section className="card" aria-labelledby="source-title">
        <div className="card-head">
          <h2 className="card-title" id="source-title">
            Version {latest.version} <span className="muted small">{kind === 'runbook' ? 'as YAML' : (definition as ScriptDefinition).language}</span>
          </h2>
        </div>
        <pre className="code-block" data-testid="definition-source" tabIndex={0} aria-label={`Version ${latest.version} source`}>
          {kind === 'script' ? (definition as ScriptDefinition).body : yaml ? runbookText(yaml, definition as RunbookDefinition) : 'Loading…'}
        </pre>
      </section>
      <aside className="stack-v">
        <section className="card" aria-labelledby="about-title">
          <h2 className="card-title" id="about-title">
            About this version
          </h2>
          <dl className="facts">
            <div>
              <dt>Published</dt>
              <dd>
                {formatDateTime(latest.publishedAt)} by {latest.author}
              </dd>
            </div>
            <div>
              <dt>Note</dt>
              <dd data-testid="version-note">{latest.note}</dd>
            </div>
            {definition.description && (
              <div>
                <dt>Description</dt>
                <dd data-testid="definition-description">{definition.description}</dd>
              </div>
            )}
            <div>
              <dt>Hash</dt>
              <dd className="mono small" title={latest.hash}>
                {latest.hash.slice(0, 12)}…
              </dd>
            </div>
            {kind === 'runbook' && <RunbookFacts definition={definition as RunbookDefinition} />}
          </dl>
        </section>
        {kind === 'runbook' && <StepOutline steps={(definition as RunbookDefinition).steps} />}
      </aside>
    </div>
  );
}

function RunbookFacts({ definition }: { definition: RunbookDefinition }) {
  const params = Object.entries(definition.parameters?.properties ?? {});
  const strategy = definition.strategy ?? {};
  return (
    <>
      <div>
        <dt>Who may run it</dt>
        <dd>{definition.allowedRoles.join(', ')} (and admins)</dd>
      </div>
      <div>
        <dt>Targets</dt>
        <dd className="mono small">{JSON.stringify(definition.targets.selector)}</dd>
      </div>
      <div>
        <dt>Strategy</dt>
        <dd className="small">
          {[`parallelism ${strategy.parallelism ?? 10}`, strategy.serial !== undefined && `batches ${JSON.stringify(strategy.serial)}`, strategy.maxFailPercentage !== undefined && `stop above ${strategy.maxFailPercentage}% failed`, strategy.hostTimeout && `${strategy.hostTimeout} per host`]
            .filter(Boolean)
            .join(' · ')}
        </dd>
      </div>
      {params.length > 0 && (
        <div>
          <dt>Parameters</dt>
          <dd className="small">{params.map(([name, field]) => `${field.title} (${name})`).join(', ')}</dd>
        </div>
      )}
    </>
  );
}

function stepWhat(step: RunbookStep): string {
  switch (step.type) {
    case 'ssh.command':
      return [step.command, ...(step.args ?? [])].join(' ');
    case 'ssh.script':
      return 'id' in step.script ? `script ${step.script.id}${step.script.version ? ` v${step.script.version}` : ''}` : `inline ${step.script.language}`;
    case 'wait':
      return `wait ${step.duration}`;
    case 'approval':
      return `approval by ${(step.approvers ?? ['automation_admin']).join(' or ')}`;
    case 'condition':
      return step.expression;
    case 'ssh.upload':
      return `upload to ${step.path}`;
    default:
      return '';
  }
}

function StepOutline({ steps }: { steps: RunbookStep[] }) {
  return (
    <section className="card" aria-labelledby="steps-title">
      <h2 className="card-title" id="steps-title">
        Steps
      </h2>
      <ol className="step-outline" data-testid="step-outline">
        {steps.map((step) => (
          <li key={step.id}>
            <span className="strong">{step.name ?? step.id}</span> <span className="mini-tag">{step.type}</span>
            <div className="muted small mono">{stepWhat(step)}</div>
          </li>
        ))}
      </ol>
    </section>
  );
}

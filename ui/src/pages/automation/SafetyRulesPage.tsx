import { type FormEvent, useCallback, useEffect, useState } from 'react';
import '../../automation.css';
import { ApiError, type Problem, toProblem } from '../../api';
import { checkHighRisk, type Finding, getHighRiskRules, replaceHighRiskRules, type RulesInForce, type RunRisk } from '../../api/automation';
import { ErrorAlert, PageHeader, ProblemView, Spinner, SuccessNotice } from '../../components';
import { formatDateTime } from '../../format';
import { useCan } from '../../session';
import { AutomationTabs } from './AutomationTabs';
import { useYaml, type Yaml } from './definitionText';
import { FindingList } from './RiskPanel';

const DECISION_TEXT: Record<RunRisk['decision'], string> = {
  allow: 'Allowed: no high-risk command found.',
  approval: 'Needs a second person’s approval.',
  block: 'Blocked: a run with this would not start.',
};

/**
 * The high-risk command rules in force (docs/automation-safety.md): the policy per
 * severity, every rule with its pattern and examples, a box to try a script against them,
 * and for admins the whole rule set as YAML to change, guarded by its revision.
 */
export function SafetyRulesPage() {
  const can = useCan();
  const yaml = useYaml();
  const [rules, setRules] = useState<RulesInForce | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      setRules(await getHighRiskRules(signal));
      setError(null);
    } catch (e) {
      if (!signal?.aborted) setError(toProblem(e));
    }
  }, []);

  useEffect(() => {
    document.title = 'Safety rules · Automation · FlowDesk';
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  const header = (
    <PageHeader
      title="Safety rules"
      subtitle="Commands that can destroy a host or its data, checked in every SSH step before it runs and again on each host."
      actions={can('automation.rules') && rules && !editing ? (
          <button type="button" className="btn" onClick={() => setEditing(true)} disabled={!yaml} data-testid="edit-rules">
            Edit rules
          </button>
        ) : undefined}
    />
  );
  if (error) {
    return (
      <div className="page automation">
        {header}
        <ProblemView problem={error} />
      </div>
    );
  }
  if (!rules) {
    return (
      <div className="page automation">
        <Spinner label="Loading the rules…" />
      </div>
    );
  }
  return (
    <div className="page page-wide automation">
      {header}
      <AutomationTabs current="safety" />
      {notice && <SuccessNotice>{notice}</SuccessNotice>}
      <p className="muted small" data-testid="rules-revision">
        Revision {rules.revision}
        {rules.source === 'shipped' ? ' · the shipped file, catalog/automation/high-risk-rules.yaml' : ` · changed by ${rules.updatedBy ?? 'an admin'}${rules.updatedAt ? ` on ${formatDateTime(rules.updatedAt)}` : ''}`}
      </p>
      {editing && yaml ? (
        <RulesEditor
          yaml={yaml}
          rules={rules}
          onCancel={() => setEditing(false)}
          onSaved={(next) => {
            setRules(next);
            setEditing(false);
            setNotice(`Rules saved as revision ${next.revision}; zone workers apply them within seconds.`);
          }}
        />
      ) : (
        <div className="run-form-layout">
          <RulesTable rules={rules} />
          <aside className="stack-v">
            <PolicyCard rules={rules} />
            <TryScript />
          </aside>
        </div>
      )}
    </div>
  );
}

function PolicyCard({ rules }: { rules: RulesInForce }) {
  return (
    <section className="card" aria-labelledby="policy-title">
      <h2 className="card-title" id="policy-title">
        Policy
      </h2>
      <dl className="facts" data-testid="rules-policy">
        {(['critical', 'high', 'medium'] as const).map((severity) => (
          <div key={severity} className="facts-row">
            <dt>
              <span className={`severity severity-${severity}`}>{severity}</span>
            </dt>
            <dd>{rules.ruleSet.policy[severity] === 'block' ? 'blocks the run' : 'a second person approves'}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function RulesTable({ rules }: { rules: RulesInForce }) {
  return (
    <section className="card" aria-labelledby="rules-title">
      <h2 className="card-title" id="rules-title">
        {rules.ruleSet.rules.length} rules
      </h2>
      <table className="table rules-table">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Severity</th>
            <th>What it catches</th>
          </tr>
        </thead>
        <tbody>
          {rules.ruleSet.rules.map((rule) => (
            <tr key={rule.id} data-testid="rule-row" data-rule={rule.id}>
              <td>
                <code>{rule.id}</code>
              </td>
              <td>
                <span className={`severity severity-${rule.severity}`}>{rule.severity}</span>
              </td>
              <td>
                <p className="rule-description">{rule.description}</p>
                {rule.examples && rule.examples.length > 0 && (
                  <p className="muted small">
                    e.g. {rule.examples.slice(0, 3).map((e, i) => (
                      <code key={i} className="rule-example">
                        {e}
                      </code>
                    ))}
                  </p>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A script checked against the rules in force, nothing run. */
function TryScript() {
  const [script, setScript] = useState('');
  const [result, setResult] = useState<{ decision: RunRisk['decision']; findings: Finding[] } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function check(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      setResult(await checkHighRisk(script));
    } catch (e) {
      setProblem(toProblem(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={(e) => void check(e)} aria-labelledby="try-title">
      <h2 className="card-title" id="try-title">
        Try a script
      </h2>
      <div className="field">
        <label htmlFor="try-script">Script or command</label>
        <textarea id="try-script" className="code-editor" rows={5} value={script} onChange={(e) => setScript(e.target.value)} placeholder={'sudo systemctl restart nginx\nrm -rf "$DIR"/'} data-testid="try-script" />
        <p className="hint">Read as the check reads a step: quoting, spacing and variables do not hide a command.</p>
      </div>
      {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
      {result && (
        <div data-testid="try-result" data-decision={result.decision}>
          <p className="strong">{DECISION_TEXT[result.decision]}</p>
          {result.findings.length > 0 && <FindingList findings={result.findings} />}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || !script.trim()} data-testid="try-check">
          {busy ? 'Checking…' : 'Check'}
        </button>
      </div>
    </form>
  );
}

/** The whole rule set as YAML; the server validates it as it validates the file and names each problem. */
function RulesEditor({ yaml, rules, onCancel, onSaved }: { yaml: Yaml; rules: RulesInForce; onCancel: () => void; onSaved: (next: RulesInForce) => void }) {
  const [text, setText] = useState(() => yaml.stringify(rules.ruleSet, { lineWidth: 0 }));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Array<[string, string]>>([]);
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setFieldErrors([]);
    const doc = yaml.parseDocument(text);
    if (doc.errors.length) {
      setFieldErrors([['yaml', `Not valid YAML: ${doc.errors[0]!.message}`]]);
      return;
    }
    setBusy(true);
    try {
      onSaved(await replaceHighRiskRules(doc.toJS(), rules.revision));
    } catch (e) {
      setProblem(toProblem(e));
      if (e instanceof ApiError) setFieldErrors(Object.entries(e.fieldErrors()));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={(e) => void save(e)} aria-label="Edit the rules">
      <div className="field">
        <label htmlFor="rules-yaml">Rule set (YAML)</label>
        <textarea id="rules-yaml" className="code-editor" rows={28} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} data-testid="rules-yaml" />
        <p className="hint">Each rule’s examples must be flagged by it and its counterExamples not: the save is refused otherwise, and nothing changes.</p>
      </div>
      {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
      {fieldErrors.length > 0 && (
        <ul className="field-errors small" data-testid="rules-errors">
          {fieldErrors.map(([field, message]) => (
            <li key={field}>
              <code>{field}</code> {message}
            </li>
          ))}
        </ul>
      )}
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="save-rules">
          {busy ? 'Saving…' : `Save as revision ${rules.revision + 1}`}
        </button>
      </div>
    </form>
  );
}

import { type FormEvent, useCallback, useEffect, useState } from 'react';
import '../../cmdb.css';
import { type ClassChangeReport, type CmdbModel, getCmdbModel, type Problem, putCmdbClass, putRelationType, toProblem } from '../../api';
import { ErrorAlert, PageHeader, ProblemView, Spinner, SuccessNotice } from '../../components';
import { useCan } from '../../session';

type Selected = { kind: 'class' | 'relationType'; name: string } | null;

/**
 * The CMDB model: classes and relation types as their definitions (the same format as
 * catalog/cmdb/model.yaml, in JSON). A class change is first checked against the stored
 * CIs: the editor shows how many would no longer fit, with examples, before it is applied.
 */
export function ModelEditor() {
  const admin = useCan()('cmdb.admin');
  const [model, setModel] = useState<CmdbModel | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [selected, setSelected] = useState<Selected>(null);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [report, setReport] = useState<ClassChangeReport | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setModel(await getCmdbModel());
    } catch (e) {
      setError(toProblem(e));
    }
  }, []);

  useEffect(() => {
    document.title = 'CMDB model · FlowDesk';
    void load();
  }, [load]);

  function open(next: Selected, definition: unknown) {
    setSelected(next);
    setText(JSON.stringify(definition, null, 2));
    setProblem(null);
    setReport(null);
    setSaved(null);
  }

  function parsed(): unknown {
    try {
      return JSON.parse(text);
    } catch (e) {
      setProblem({ type: 'about:blank', title: 'Not JSON', status: 400, detail: `The definition is not valid JSON: ${(e as Error).message}` });
      return undefined;
    }
  }

  async function check(event: FormEvent) {
    event.preventDefault();
    const definition = parsed();
    if (!selected || definition === undefined) return;
    setProblem(null);
    setSaved(null);
    try {
      if (selected.kind === 'relationType') {
        await putRelationType(selected.name, definition);
        setSaved(`Relation type ${selected.name} saved.`);
        await load();
      } else setReport(await putCmdbClass(selected.name, definition, { dryRun: true }));
    } catch (e) {
      setProblem(toProblem(e));
    }
  }

  async function apply() {
    const definition = parsed();
    if (!selected || !report || definition === undefined) return;
    try {
      const result = await putCmdbClass(selected.name, definition, { force: report.violations > 0 });
      setReport(null);
      setSaved(`Class ${selected.name} saved${result.violations ? `; ${result.violations} CIs do not fit it yet` : ''}.`);
      await load();
    } catch (e) {
      setProblem(toProblem(e));
    }
  }

  if (error) return <div className="page"><ProblemView problem={error} /></div>;
  if (!model) return <div className="page"><Spinner /></div>;
  return (
    <div className="page page-wide">
      <PageHeader eyebrow="CMDB" title="Model" subtitle="Classes and relation types are data: change them here, seeing first what a change does to the CIs you have." />
      <div className="cmdb-layout">
        <aside className="card cmdb-sidebar">
          <h2 className="card-title">Classes</h2>
          <ul className="saved-queries">
            {model.classes.map((c) => (
              <li key={c.name}>
                <button type="button" className="btn-link" onClick={() => open({ kind: 'class', name: c.name }, c.definition)} data-testid="model-class" data-class={c.name}>{c.label}</button>
              </li>
            ))}
          </ul>
          <h2 className="card-title">Relation types</h2>
          <ul className="saved-queries">
            {model.relationTypes.map(({ name, ...definition }) => (
              <li key={name}>
                <button type="button" className="btn-link" onClick={() => open({ kind: 'relationType', name }, definition)}>{name}</button>
              </li>
            ))}
          </ul>
        </aside>
        {selected ? (
          <form className="card" onSubmit={(e) => void check(e)} aria-label={`Definition of ${selected.name}`}>
            <h2 className="card-title">{selected.kind === 'class' ? 'Class' : 'Relation type'} <span className="mono">{selected.name}</span></h2>
            {problem && (
              <ErrorAlert problem={problem} onDismiss={() => setProblem(null)}>
                {problem.errors && <ul>{problem.errors.map((e) => <li key={e.field + e.message}><code>{e.field}</code>: {e.message}</li>)}</ul>}
              </ErrorAlert>
            )}
            {saved && <SuccessNotice>{saved}</SuccessNotice>}
            <div className="field">
              <label htmlFor="model-definition">Definition (JSON; the format of docs/cmdb.md#the-model)</label>
              <textarea id="model-definition" className="mono" rows={20} value={text} onChange={(e) => setText(e.target.value)} readOnly={!admin} spellCheck={false} />
            </div>
            {report && (
              <div className={`alert ${report.violations ? 'alert-warning' : 'alert-success'}`} role="status" data-testid="class-report">
                <p>
                  {report.violations ? `${report.violations} of ${report.checked} existing CIs would not fit this class.` : `All ${report.checked} existing CIs fit this class.`}
                </p>
                {report.examples.length > 0 && (
                  <ul className="small">
                    {report.examples.map((x) => (
                      <li key={x.id}>{x.name ?? x.id}: {x.errors.map((e) => `${e.field} ${e.message}`).join('; ')}</li>
                    ))}
                  </ul>
                )}
                <button type="button" className="btn btn-sm btn-primary" onClick={() => void apply()} data-testid="apply-class">{report.violations ? 'Apply anyway' : 'Apply'}</button>
              </div>
            )}
            {admin && (
              <div className="form-actions">
                <button type="submit" className="btn btn-primary" data-testid="check-definition">{selected.kind === 'class' ? 'Check against stored CIs' : 'Save relation type'}</button>
              </div>
            )}
          </form>
        ) : (
          <div className="card empty"><p className="empty-title">Choose a class or a relation type</p></div>
        )}
      </div>
    </div>
  );
}

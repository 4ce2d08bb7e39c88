import { useEffect, useState } from 'react';
import '../../cmdb.css';
import { type CmdbModel, getCmdbModel, type Problem, toProblem } from '../../api';
import { PageHeader, ProblemView, Spinner } from '../../components';
import { Link, navigate } from '../../router';
import { CiEditor } from './CiEditor';

/** `/cmdb/new?class=…`: a new CI of a concrete class. */
export function NewCi({ className }: { className: string }) {
  const [model, setModel] = useState<CmdbModel | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  useEffect(() => {
    document.title = 'New CI · CMDB · FlowDesk';
    const controller = new AbortController();
    getCmdbModel(controller.signal).then(setModel, (e: unknown) => !controller.signal.aborted && setError(toProblem(e)));
    return () => controller.abort();
  }, []);
  if (error) return <div className="page"><ProblemView problem={error} /></div>;
  if (!model) return <div className="page"><Spinner /></div>;
  const cls = model.classes.find((c) => c.name === className);
  if (!cls || cls.abstract) {
    return <div className="page"><ProblemView problem={{ type: 'about:blank', title: 'Choose a class', status: 400, detail: cls ? `${cls.label} is abstract: choose one of its subclasses in the CMDB browser.` : `There is no class '${className}'.` }} /></div>;
  }
  return (
    <div className="page">
      <PageHeader eyebrow={<Link to={`/cmdb?class=${encodeURIComponent(cls.name)}`}>{cls.label}</Link>} title={`New ${cls.label}`} />
      <CiEditor cls={cls} onSaved={(ci) => navigate(`/cmdb/cis/${encodeURIComponent(ci.id)}`)} onCancel={() => navigate(`/cmdb?class=${encodeURIComponent(cls.name)}`)} />
    </div>
  );
}

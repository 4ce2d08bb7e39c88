import { type FormEvent, useEffect, useMemo, useState } from 'react';
import '../../cmdb.css';
import { type Ci, type CmdbModel, getCmdbModel, type Problem, queryCis, type Selector, toProblem } from '../../api';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { formatRelative } from '../../format';
import { Link, navigate, useLocation } from '../../router';
import { useCan, useMe } from '../../session';
import { CiFilters, type Filter, whereOf } from './CiFilters';
import { ClassTree } from './ClassTree';
import { useSavedQueries } from './savedQueries';

const LIFECYCLE_TONE: Record<string, 'green' | 'amber' | 'blue' | 'neutral'> = { live: 'green', maintenance: 'amber', planned: 'blue', retired: 'neutral' };

/** The CMDB browser: a class tree, the CIs of the chosen class with filters, saved queries and a raw selector mode. */
export function CmdbBrowser() {
  const me = useMe();
  const can = useCan();
  const { search } = useLocation();
  const selectedClass = search.get('class') ?? 'ci';
  const [model, setModel] = useState<CmdbModel | null>(null);
  const [filters, setFilters] = useState<Filter[]>([]);
  const [nameContains, setNameContains] = useState('');
  const [includeRetired, setIncludeRetired] = useState(false);
  const [raw, setRaw] = useState<string | null>(null);
  const [applied, setApplied] = useState<Selector | null>(null);
  const [items, setItems] = useState<Ci[]>([]);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Problem | null>(null);
  const [queryError, setQueryError] = useState<Problem | null>(null);
  const saved = useSavedQueries(me?.user.username ?? 'anonymous');

  useEffect(() => {
    document.title = 'CMDB · FlowDesk';
    const controller = new AbortController();
    getCmdbModel(controller.signal).then(setModel, (e: unknown) => !controller.signal.aborted && setError(toProblem(e)));
    return () => controller.abort();
  }, []);

  const cls = model?.classes.find((c) => c.name === selectedClass);
  const built = useMemo<Selector>(() => {
    const where = whereOf(cls, filters, nameContains);
    return { class: selectedClass, ...(Object.keys(where).length && { where }), ...(includeRetired && { includeRetired: true }) };
  }, [cls, filters, nameContains, includeRetired, selectedClass]);
  const selector = applied ?? built;
  const selectorKey = JSON.stringify(selector);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setQueryError(null);
    queryCis(JSON.parse(selectorKey) as Selector, undefined, controller.signal)
      .then((page) => {
        setItems(page.items);
        setTotal(page.total);
        setCursor(page.nextCursor);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setItems([]);
        setTotal(0);
        setCursor(null);
        setQueryError(toProblem(e));
        setLoading(false);
      });
    return () => controller.abort();
  }, [selectorKey]);

  async function more() {
    if (!cursor) return;
    try {
      const page = await queryCis(selector, cursor);
      setItems((current) => [...current, ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setQueryError(toProblem(e));
    }
  }

  function chooseClass(name: string) {
    setFilters([]);
    setApplied(null);
    navigate(`/cmdb?class=${encodeURIComponent(name)}`);
  }

  function applyRaw(event: FormEvent) {
    event.preventDefault();
    try {
      setApplied(JSON.parse(raw ?? '{}') as Selector);
    } catch (e) {
      setQueryError({ type: 'about:blank', title: 'Not JSON', status: 400, detail: `The selector is not valid JSON: ${(e as Error).message}` });
    }
  }

  function saveQuery() {
    const name = window.prompt('Name this query');
    if (name?.trim()) saved.add(name, selector);
  }

  function openSaved(id: string) {
    const query = saved.queries.find((q) => q.id === id);
    if (!query) return;
    setRaw(JSON.stringify(query.selector, null, 2));
    setApplied(query.selector);
  }

  if (error) return <div className="page"><ProblemView problem={error} /></div>;
  if (!model) return <div className="page"><Spinner /></div>;
  const nameOf = (ci: Ci) => String(ci.attributes.name ?? ci.id);
  const classLabel = (name: string) => model.classes.find((c) => c.name === name)?.label ?? name;

  return (
    <div className="page page-wide">
      <PageHeader
        eyebrow="CMDB"
        title="Configuration items"
        subtitle="The estate by class: filter, save the queries you use, open a CI for its relations and history."
        actions={can('cmdb.write') && cls && !cls.abstract && <Link to={`/cmdb/new?class=${encodeURIComponent(cls.name)}`} className="btn btn-primary" data-testid="new-ci">New {cls.label}</Link>}
      />
      <div className="cmdb-layout">
        <aside className="card cmdb-sidebar">
          <h2 className="card-title">Classes</h2>
          <ClassTree classes={model.classes} selected={selectedClass} onSelect={chooseClass} />
          <h2 className="card-title">Saved queries</h2>
          {saved.queries.length === 0 ? (
            <p className="muted small">None yet: filter the list, then “Save query”.</p>
          ) : (
            <ul className="saved-queries">
              {saved.queries.map((q) => (
                <li key={q.id}>
                  <button type="button" className="btn-link" onClick={() => openSaved(q.id)} data-testid="saved-query">{q.name}</button>
                  <button type="button" className="btn-ghost btn-sm" aria-label={`Delete saved query ${q.name}`} onClick={() => saved.remove(q.id)}>×</button>
                </li>
              ))}
            </ul>
          )}
        </aside>
        <section className="card cmdb-main" aria-labelledby="ci-list-title">
          <div className="card-head">
            <h2 className="card-title" id="ci-list-title">{applied ? 'Selector' : (cls?.label ?? selectedClass)} <span className="muted" data-testid="ci-total">{loading ? '' : `${total} CI${total === 1 ? '' : 's'}`}</span></h2>
            <div>
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => setRaw(raw === null ? JSON.stringify(selector, null, 2) : null)} aria-pressed={raw !== null} data-testid="raw-toggle">Selector (JSON)</button>{' '}
              <button type="button" className="btn btn-sm btn-secondary" onClick={saveQuery} data-testid="save-query">Save query</button>
            </div>
          </div>
          {raw !== null ? (
            <form onSubmit={applyRaw} className="field">
              <label htmlFor="raw-selector">Selector (docs/cmdb.md#selectors)</label>
              <textarea id="raw-selector" className="mono" rows={8} value={raw} onChange={(e) => setRaw(e.target.value)} spellCheck={false} />
              <div className="form-actions">
                <button type="submit" className="btn btn-sm btn-primary">Run selector</button>{' '}
                <button type="button" className="btn btn-sm btn-ghost" onClick={() => { setApplied(null); setRaw(null); }}>Back to filters</button>
              </div>
            </form>
          ) : (
            <>
              <div className="filter-row">
                <label htmlFor="name-contains" className="sr-only">Name contains</label>
                <input id="name-contains" value={nameContains} onChange={(e) => setNameContains(e.target.value)} placeholder="Name contains…" />
                <label className="checkbox small">
                  <input type="checkbox" checked={includeRetired} onChange={(e) => setIncludeRetired(e.target.checked)} /> Include retired
                </label>
              </div>
              <CiFilters cls={cls} filters={filters} onChange={setFilters} />
            </>
          )}
          {queryError && <ErrorAlert problem={queryError} onDismiss={() => setQueryError(null)} />}
          {loading ? (
            <Spinner />
          ) : items.length === 0 ? (
            <div className="empty"><p className="empty-title">No CIs match</p></div>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="ci-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Class</th>
                    <th scope="col">Zone</th>
                    <th scope="col">Lifecycle</th>
                    <th scope="col">Environment</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((ci) => (
                    <tr key={ci.id} className="row-link" data-testid="ci-row" onClick={() => navigate(`/cmdb/cis/${encodeURIComponent(ci.id)}`)}>
                      <td><Link to={`/cmdb/cis/${encodeURIComponent(ci.id)}`}>{nameOf(ci)}</Link></td>
                      <td className="small">{classLabel(ci.class)}</td>
                      <td className="small">{ci.zone ?? '—'}</td>
                      <td>{ci.attributes.lifecycle ? <Tag tone={LIFECYCLE_TONE[String(ci.attributes.lifecycle)] ?? 'neutral'}>{String(ci.attributes.lifecycle)}</Tag> : '—'}</td>
                      <td className="small">{String(ci.attributes.environment ?? '—')}</td>
                      <td className="small">{formatRelative(ci.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {cursor && <button type="button" className="btn btn-secondary" onClick={() => void more()}>Load more</button>}
        </section>
      </div>
    </div>
  );
}

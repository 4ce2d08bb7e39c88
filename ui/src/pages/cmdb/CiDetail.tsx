import { useEffect, useState } from 'react';
import '../../cmdb.css';
import { type AttributeValue, type Ci, ciHistory, ciRelations, type CmdbModel, getCi, getCmdbModel, type HistoryEntry, type Problem, type Relation, retireCi, toProblem } from '../../api';
import { ErrorAlert, PageHeader, ProblemView, Spinner, Tag } from '../../components';
import { useCan } from '../../session';
import { CiEditor } from './CiEditor';
import { TopologyGraph } from './TopologyGraph';
import { formatDateTime } from '../../format';
import { Link } from '../../router';

interface Loaded {
  ci: Ci;
  model: CmdbModel;
  history: HistoryEntry[];
  relations: { outgoing: Array<{ relation: Relation; other: Ci }>; incoming: Array<{ relation: Relation; other: Ci }> };
}

const isEmpty = (value: AttributeValue | undefined) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
/** Changes worth a line: an empty list "set" on creation is not one. */
const shown = (changes: HistoryEntry['changes']) => Object.entries(changes).filter(([, c]) => !(isEmpty(c.before) && isEmpty(c.after)));
const show = (value: AttributeValue | undefined): string => (value === undefined || value === null ? '—' : Array.isArray(value) ? value.join(', ') : String(value));
const ACTORS: Record<string, string> = { user: 'by', discovery: 'by discovery run', import: 'imported by', sync: 'by sync run', system: 'by' };

/** One CI: its attributes (with the source of each), relations both ways, and its history, newest first. */
export function CiDetail({ id }: { id: string }) {
  const can = useCan();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  const [actionError, setActionError] = useState<Problem | null>(null);
  const [editing, setEditing] = useState(false);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([getCi(id, controller.signal), getCmdbModel(controller.signal), ciHistory(id, controller.signal), ciRelations(id, controller.signal)])
      .then(([ci, model, history, relations]) => {
        setLoaded({ ci, model, history, relations });
        document.title = `${String(ci.attributes.name ?? ci.id)} · CMDB · FlowDesk`;
      })
      .catch((e: unknown) => !controller.signal.aborted && setError(toProblem(e)));
    return () => controller.abort();
  }, [id, reloads]);

  async function retire() {
    if (!window.confirm('Retire this CI? It stays, with its history and relations, marked retired.')) return;
    try {
      await retireCi(id);
      setReloads((n) => n + 1);
    } catch (e) {
      setActionError(toProblem(e));
    }
  }

  if (error) return <div className="page"><ProblemView problem={error} /></div>;
  if (!loaded) return <div className="page"><Spinner /></div>;
  const { ci, model, history, relations } = loaded;
  const cls = model.classes.find((c) => c.name === ci.class);
  const type = (name: string) => model.relationTypes.find((t) => t.name === name);
  const name = (c: Ci) => String(c.attributes.name ?? c.id);
  const attributeLabel = (attribute: string) => cls?.attributes[attribute]?.label ?? attribute;

  return (
    <div className="page page-wide">
      <PageHeader
        eyebrow={<Link to={`/cmdb?class=${encodeURIComponent(ci.class)}`}>{cls?.label ?? ci.class}</Link>}
        title={name(ci)}
        subtitle={
          <>
            <span className="mono small">{ci.id} · version {ci.version} · zone {ci.zone ?? 'none'}</span>
            {ci.class === 'rack' && <> · <Link to={`/cmdb/racks/${encodeURIComponent(ci.id)}`}>Rack view</Link></>}
            {ci.class === 'data_centre' && <> · <Link to={`/cmdb/datacentres#${ci.id}`}>Racks</Link></>}
          </>
        }
        actions={
          <>
            {ci.attributes.lifecycle ? <Tag tone={ci.attributes.lifecycle === 'retired' ? 'neutral' : 'green'}>{String(ci.attributes.lifecycle)}</Tag> : null}{' '}
            {can('cmdb.write') && cls && !editing && (
              <>
                <button type="button" className="btn btn-sm btn-secondary" onClick={() => setEditing(true)} data-testid="edit-ci">Edit</button>{' '}
                {ci.attributes.lifecycle !== 'retired' && <button type="button" className="btn btn-sm btn-ghost" onClick={() => void retire()}>Retire</button>}
              </>
            )}
          </>
        }
      />
      {actionError && <ErrorAlert problem={actionError} onDismiss={() => setActionError(null)} />}
      {editing && cls && (
        <CiEditor
          cls={cls}
          ci={ci}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setReloads((n) => n + 1);
          }}
        />
      )}
      <div className="cmdb-detail">
        <section className="card" aria-labelledby="attributes-title">
          <h2 className="card-title" id="attributes-title">Attributes</h2>
          <dl className="attribute-list" data-testid="ci-attributes">
            {Object.entries(cls?.attributes ?? {}).map(([attribute, spec]) => {
              const value = ci.attributes[attribute];
              if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return null;
              return (
                <div key={attribute} data-attribute={attribute}>
                  <dt>{spec.label ?? attribute}</dt>
                  <dd>
                    {spec.type === 'reference' && typeof value === 'string' ? <Link to={`/cmdb/cis/${encodeURIComponent(value)}`}>{value}</Link> : show(value)}
                    {ci.sources[attribute] && <span className="muted small"> · {ci.sources[attribute]}</span>}
                  </dd>
                </div>
              );
            })}
          </dl>
          {ci.tags.length > 0 && <p>{ci.tags.map((t) => <Tag key={t}>{t}</Tag>)}</p>}
        </section>
        <section className="card" aria-labelledby="relations-title">
          <h2 className="card-title" id="relations-title">Relations</h2>
          {relations.outgoing.length + relations.incoming.length === 0 && <p className="muted">No relations.</p>}
          <ul className="relation-list" data-testid="ci-relations">
            {relations.outgoing.map(({ relation, other }) => (
              <li key={relation.id}>
                {type(relation.type)?.label ?? relation.type} <Link to={`/cmdb/cis/${encodeURIComponent(other.id)}`}>{name(other)}</Link> <span className="muted small">{other.class}</span>
              </li>
            ))}
            {relations.incoming.map(({ relation, other }) => (
              <li key={relation.id}>
                {type(relation.type)?.inverseLabel ?? `← ${relation.type}`} <Link to={`/cmdb/cis/${encodeURIComponent(other.id)}`}>{name(other)}</Link> <span className="muted small">{other.class}</span>
              </li>
            ))}
          </ul>
        </section>
        <TopologyGraph root={ci} model={model} />
        <section className="card cmdb-history" aria-labelledby="history-title">
          <h2 className="card-title" id="history-title">History</h2>
          <ol className="timeline" data-testid="ci-history">
            {history.map((entry) => (
              <li key={entry.version} data-version={entry.version}>
                <p>
                  <strong>{entry.operation === 'create' ? 'Created' : entry.operation === 'update' ? 'Changed' : entry.operation === 'retire' ? 'Retired' : entry.operation}</strong> {ACTORS[entry.actor.type] ?? 'by'} <span className="mono small">{entry.actor.id}</span>
                  <span className="muted small"> · {formatDateTime(entry.at)} · v{entry.version}</span>
                </p>
                {shown(entry.changes).length > 0 && (
                  <table className="diff">
                    <tbody>
                      {shown(entry.changes).map(([attribute, change]) => (
                        <tr key={attribute}>
                          <th scope="row">{attributeLabel(attribute)}</th>
                          <td className="diff-before">{show(change.before)}</td>
                          <td aria-hidden="true">→</td>
                          <td className="diff-after">{show(change.after)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </li>
            ))}
          </ol>
        </section>
      </div>
    </div>
  );
}

import { useEffect, useState } from 'react';
import '../../cmdb.css';
import { type Ci, getCi, type Problem, queryCis, toProblem } from '../../api';
import { PageHeader, ProblemView, Spinner } from '../../components';
import { Link } from '../../router';
import { RackElevation } from './RackElevation';

/** Devices (hosts and network devices) whose `rack` is one of `racks`. */
async function devicesIn(racks: string[], signal?: AbortSignal): Promise<Ci[]> {
  if (!racks.length) return [];
  const page = await queryCis({ class: ['host', 'network_device'], where: { rack: { in: racks } } }, undefined, signal);
  return page.items;
}

/** `/cmdb/racks/:id`: one rack's elevation. */
export function RackPage({ id }: { id: string }) {
  const [data, setData] = useState<{ rack: Ci; devices: Ci[] } | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    Promise.all([getCi(id, controller.signal), devicesIn([id], controller.signal)])
      .then(([rack, devices]) => {
        setData({ rack, devices });
        document.title = `Rack ${String(rack.attributes.name ?? id)} · FlowDesk`;
      })
      .catch((e: unknown) => !controller.signal.aborted && setError(toProblem(e)));
    return () => controller.abort();
  }, [id]);
  if (error) return <div className="page"><ProblemView problem={error} /></div>;
  if (!data) return <div className="page"><Spinner /></div>;
  const dc = data.rack.attributes.data_centre;
  return (
    <div className="page">
      <PageHeader eyebrow={dc ? <Link to={`/cmdb/datacentres#${String(dc)}`}>Data centre</Link> : 'Rack'} title={`Rack ${String(data.rack.attributes.name ?? id)}`} subtitle={<Link to={`/cmdb/cis/${encodeURIComponent(id)}`}>Rack CI and history</Link>} />
      <section className="card">
        <RackElevation rack={data.rack} devices={data.devices} />
      </section>
    </div>
  );
}

/** `/cmdb/datacentres`: every data centre with its racks side by side. */
export function DataCentresPage() {
  const [data, setData] = useState<{ centres: Ci[]; racks: Ci[]; devices: Ci[] } | null>(null);
  const [error, setError] = useState<Problem | null>(null);
  useEffect(() => {
    document.title = 'Data centres · FlowDesk';
    const controller = new AbortController();
    (async () => {
      const [centres, racks] = await Promise.all([queryCis({ class: 'data_centre' }, undefined, controller.signal), queryCis({ class: 'rack' }, undefined, controller.signal)]);
      const devices = await devicesIn(racks.items.map((r) => r.id), controller.signal);
      setData({ centres: centres.items, racks: racks.items, devices });
    })().catch((e: unknown) => !controller.signal.aborted && setError(toProblem(e)));
    return () => controller.abort();
  }, []);
  if (error) return <div className="page"><ProblemView problem={error} /></div>;
  if (!data) return <div className="page"><Spinner /></div>;
  return (
    <div className="page page-wide">
      <PageHeader eyebrow="CMDB" title="Data centres" subtitle="Racks and what is in them, from the CMDB." />
      {data.centres.length === 0 && <div className="empty"><p className="empty-title">No data centres in the CMDB yet</p></div>}
      {data.centres.map((dc) => {
        const racks = data.racks.filter((r) => r.attributes.data_centre === dc.id).sort((a, b) => String(a.attributes.name).localeCompare(String(b.attributes.name)));
        return (
          <section key={dc.id} id={dc.id} className="card" aria-labelledby={`dc-${dc.id}`} data-testid="data-centre">
            <h2 className="card-title" id={`dc-${dc.id}`}>
              <Link to={`/cmdb/cis/${encodeURIComponent(dc.id)}`}>{String(dc.attributes.name ?? dc.id)}</Link> <span className="muted small">{racks.length} rack{racks.length === 1 ? '' : 's'}</span>
            </h2>
            <div className="rack-row">
              {racks.map((rack) => (
                <div key={rack.id} className="rack-column" data-testid="dc-rack">
                  <Link to={`/cmdb/racks/${encodeURIComponent(rack.id)}`} className="small">{String(rack.attributes.name ?? rack.id)}</Link>
                  <RackElevation rack={rack} devices={data.devices.filter((d) => d.attributes.rack === rack.id)} compact />
                </div>
              ))}
            </div>
          </section>
        );
      })}
    </div>
  );
}

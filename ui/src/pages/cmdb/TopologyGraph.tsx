import type { Core } from 'cytoscape';
import { useEffect, useRef, useState } from 'react';
import { type Ci, ciTopology, type CmdbModel, type Impact, impactOf, type Problem, type Relation, toProblem } from '../../api';
import { ErrorAlert, Spinner } from '../../components';
import { navigate } from '../../router';
import { layeredPositions } from './topologyLayout';

type Direction = 'upstream' | 'downstream' | 'both';

/** What the impact does to each CI; the failing ones are marked as such, not as down. */
function effects(impact: Impact | null): Map<string, 'down' | 'degraded' | 'failing'> {
  const map = new Map<string, 'down' | 'degraded' | 'failing'>(impact?.impacted.map((i) => [i.ci.id, i.effect]) ?? []);
  for (const id of impact?.failing ?? []) map.set(id, 'failing');
  return map;
}

const LIFECYCLE_COLOURS: Record<string, string> = { live: '#12b76a', maintenance: '#f79009', planned: '#2e90fa', retired: '#98a2b3' };

/**
 * A CI's neighbourhood as an interactive graph (cytoscape, loaded on first use): layered
 * from business systems down to the network, coloured by lifecycle; click a node to pick
 * it, then open, expand or collapse it. "Show impact" marks what this CI's failure takes
 * down (red) or leaves degraded (amber).
 */
export function TopologyGraph({ root, model }: { root: Ci; model: CmdbModel }) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const [direction, setDirection] = useState<Direction>('both');
  const [depth, setDepth] = useState(2);
  const [cis, setCis] = useState<Map<string, Ci>>(new Map());
  const [edges, setEdges] = useState<Map<string, Relation>>(new Map());
  const [expanded, setExpanded] = useState<Map<string, string[]>>(new Map());
  const [picked, setPicked] = useState<string | null>(null);
  const [impact, setImpact] = useState<Impact | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setExpanded(new Map());
    setImpact(null);
    ciTopology(root.id, direction, depth, controller.signal)
      .then((t) => {
        setCis(new Map(t.nodes.map((n) => [n.ci.id, n.ci])));
        setEdges(new Map(t.edges.map((e) => [e.id, e])));
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setProblem(toProblem(e));
      });
    return () => controller.abort();
  }, [root.id, direction, depth]);

  // Draw (again) whenever the graph or the impact changes.
  useEffect(() => {
    if (loading || !container.current) return;
    let cancelled = false;
    void import('cytoscape').then(({ default: cytoscape }) => {
      if (cancelled || !container.current) return;
      cy.current?.destroy();
      const positions = layeredPositions(model, [...cis.values()]);
      const effect = effects(impact);
      const graph = cytoscape({
        container: container.current,
        elements: [
          ...[...cis.values()].map((ci) => ({
            data: { id: ci.id, label: String(ci.attributes.name ?? ci.id), colour: LIFECYCLE_COLOURS[String(ci.attributes.lifecycle ?? 'live')] ?? '#667085' },
            position: positions.get(ci.id),
            classes: [ci.id === root.id ? 'root' : '', effect.get(ci.id) ?? ''].filter(Boolean).join(' '),
          })),
          ...[...edges.values()].filter((e) => cis.has(e.source) && cis.has(e.target)).map((e) => ({ data: { id: e.id, source: e.source, target: e.target, label: e.type } })),
        ],
        layout: { name: 'preset', fit: true, padding: 30 },
        style: [
          { selector: 'node', style: { 'background-color': 'data(colour)', label: 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4, width: 26, height: 26 } },
          { selector: 'node.root', style: { 'border-width': 3, 'border-color': '#4f46e5' } },
          { selector: 'node.degraded', style: { 'background-color': '#f79009', 'border-width': 3, 'border-color': '#b54708' } },
          { selector: 'node.down', style: { 'background-color': '#d92d20', 'border-width': 3, 'border-color': '#912018' } },
          { selector: 'node.failing', style: { 'background-color': '#000', 'border-color': '#d92d20', 'border-width': 4 } },
          { selector: 'node:selected', style: { 'overlay-color': '#4f46e5', 'overlay-opacity': 0.2 } },
          { selector: 'edge', style: { width: 1.5, 'line-color': '#98a2b3', 'target-arrow-color': '#98a2b3', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 9, color: '#667085' } },
        ],
      });
      graph.on('tap', 'node', (event) => setPicked(event.target.id() as string));
      graph.on('tap', (event) => event.target === graph && setPicked(null));
      cy.current = graph;
    });
    return () => {
      cancelled = true;
    };
  }, [loading, cis, edges, impact, model, root.id]);

  useEffect(() => () => cy.current?.destroy(), []);

  async function expand(id: string) {
    try {
      const t = await ciTopology(id, direction, 1);
      const added = t.nodes.map((n) => n.ci).filter((ci) => !cis.has(ci.id));
      setCis(new Map([...cis, ...added.map((ci) => [ci.id, ci] as const)]));
      setEdges(new Map([...edges, ...t.edges.map((e) => [e.id, e] as const)]));
      setExpanded(new Map([...expanded, [id, added.map((ci) => ci.id)]]));
    } catch (e) {
      setProblem(toProblem(e));
    }
  }

  function collapse(id: string) {
    const added = new Set(expanded.get(id) ?? []);
    setCis(new Map([...cis].filter(([key]) => !added.has(key))));
    setExpanded(new Map([...expanded].filter(([key]) => key !== id)));
  }

  async function showImpact() {
    try {
      setImpact(impact ? null : await impactOf([root.id]));
    } catch (e) {
      setProblem(toProblem(e));
    }
  }

  const effectOf = effects(impact);
  const pickedCi = picked ? cis.get(picked) : undefined;
  return (
    <section className="card cmdb-topology" aria-labelledby="topology-title">
      <div className="card-head">
        <h2 className="card-title" id="topology-title">Topology</h2>
        <div className="filter-row">
          <label className="small" htmlFor="topology-direction">Direction</label>
          <select id="topology-direction" value={direction} onChange={(e) => setDirection(e.target.value as Direction)}>
            <option value="both">Both ways</option>
            <option value="upstream">What it depends on</option>
            <option value="downstream">What depends on it</option>
          </select>
          <label className="small" htmlFor="topology-depth">Depth</label>
          <select id="topology-depth" value={depth} onChange={(e) => setDepth(Number(e.target.value))}>
            {[1, 2, 3, 4, 6].map((d) => (
              <option key={d} value={d}>{d}</option>
            ))}
          </select>
          <button type="button" className={`btn btn-sm ${impact ? 'btn-secondary' : 'btn-primary'}`} onClick={() => void showImpact()} data-testid="show-impact" aria-pressed={!!impact}>
            {impact ? 'Hide impact' : 'Show impact if it fails'}
          </button>
        </div>
      </div>
      {problem && <ErrorAlert problem={problem} onDismiss={() => setProblem(null)} />}
      {loading ? <Spinner /> : <div ref={container} className="topology-canvas" role="img" aria-label={`Topology of ${String(root.attributes.name ?? root.id)}: ${cis.size} CIs`} data-testid="topology-canvas" />}
      {pickedCi && (
        <div className="topology-picked" data-testid="topology-picked">
          <strong>{String(pickedCi.attributes.name ?? pickedCi.id)}</strong> <span className="muted small">{pickedCi.class}</span>{' '}
          <button type="button" className="btn btn-sm btn-secondary" onClick={() => navigate(`/cmdb/cis/${encodeURIComponent(pickedCi.id)}`)}>Open</button>{' '}
          {expanded.has(pickedCi.id) ? (
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => collapse(pickedCi.id)}>Collapse</button>
          ) : (
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => void expand(pickedCi.id)}>Expand</button>
          )}
        </div>
      )}
      {impact && (
        <div className="topology-impact" data-testid="impact-summary">
          {Object.entries(impact.highlights).map(([cls, list]) => (
            <p key={cls} className="small">
              <strong>{model.classes.find((c) => c.name === cls)?.label ?? cls}</strong>: {list.length ? list.map((i) => `${String(i.ci.attributes.name ?? i.ci.id)} (${i.effect})`).join(', ') : 'none affected'}
            </p>
          ))}
        </div>
      )}
      {/* The graph as text, for screen readers and tests. */}
      <ul className="sr-only" data-testid="topology-nodes">
        {[...cis.values()].map((ci) => (
          <li key={ci.id} data-id={ci.id} data-effect={effectOf.get(ci.id) ?? 'none'}>
            {String(ci.attributes.name ?? ci.id)}
          </li>
        ))}
      </ul>
    </section>
  );
}

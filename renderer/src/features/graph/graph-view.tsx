import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import { useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { GraphNode } from '../../../../shared/api/investigate';
import { Copyable } from '../../components/copy';
import { EmptyState } from '../../components/empty-state';
import { ErrorPanel } from '../../components/error-panel';
import { formatCount } from '../../lib/format';
import { useAppStore } from '../../store';
import { entityOfNode } from '../../store/graph';
import { PivotButtons } from '../findings/detail-sections';
import { graphStyle, KIND_COLORS, KIND_LABELS } from './graph-style';

function toElements(nodes: Record<string, GraphNode>, edges: ReturnType<typeof useGraphEdges>): ElementDefinition[] {
  const maxNode = Math.max(1, ...Object.values(nodes).map((n) => n.weight));
  const maxEdge = Math.max(1, ...edges.map((e) => e.count));
  const els: ElementDefinition[] = [];
  for (const n of Object.values(nodes)) {
    els.push({
      group: 'nodes',
      data: {
        id: n.id,
        label: n.label,
        kind: n.kind,
        seed: n.seed,
        severity: n.severity ?? '',
        size: n.kind === 'more' ? 0 : Math.log1p(n.weight) / Math.log1p(maxNode),
      },
    });
  }
  for (const e of edges) {
    if (!nodes[e.source] || !nodes[e.target]) continue;
    els.push({
      group: 'edges',
      data: {
        id: e.id,
        source: e.source,
        target: e.target,
        relation: e.relation,
        label: e.relation === 'more' ? '' : `${e.relation} ×${formatCount(e.count)}`,
        weight: Math.log1p(e.count) / Math.log1p(maxEdge),
      },
    });
  }
  return els;
}

/**
 * One seed: a tree from it (seed on top, each hop a row), which reads at a glance.
 * Several seeds: a force layout, keeping drawn nodes in place when nodes are added.
 */
function layoutFor(cy: Core, seeds: Array<{ kind: string; value: string }>, first: boolean): cytoscape.LayoutOptions {
  const root = seeds.length === 1 ? cy.getElementById(`${seeds[0]!.kind}:${seeds[0]!.value}`) : null;
  if (root && root.nonempty()) {
    return {
      name: 'breadthfirst',
      roots: root,
      directed: false,
      animate: false,
      fit: true,
      padding: 40,
      spacingFactor: 1.15,
    } as cytoscape.LayoutOptions;
  }
  return {
    name: 'cose',
    animate: false,
    randomize: first,
    nodeRepulsion: () => 16_000,
    idealEdgeLength: () => 100,
    nodeOverlap: 24,
    padding: 30,
    fit: true,
  } as cytoscape.LayoutOptions;
}

function useGraphEdges() {
  return useAppStore(useShallow((s) => Object.values(s.graph.edges)));
}

function SidePanel() {
  const selectedId = useAppStore((s) => s.graph.selectedId);
  const node = useAppStore((s) => (s.graph.selectedId ? s.graph.nodes[s.graph.selectedId] : undefined));
  const edges = useGraphEdges();
  const nodes = useAppStore((s) => s.graph.nodes);
  const expandNode = useAppStore((s) => s.expandNode);
  const loadGraph = useAppStore((s) => s.loadGraph);
  const selectFinding = useAppStore((s) => s.selectFinding);
  const setView = useAppStore((s) => s.setView);
  if (!selectedId || !node) {
    return (
      <aside className="graph-side">
        <h3>Relationship graph</h3>
        <p className="dim">
          Click a node to see what it is and what it touched. Double-click (or Expand) to bring in its neighbours; “+N
          more” nodes page through the rest.
        </p>
        <Legend />
      </aside>
    );
  }
  if (node.kind === 'more') {
    return (
      <aside className="graph-side">
        <h3>{node.label}</h3>
        <p className="dim">{formatCount(node.hidden)} more neighbours of this node are not drawn yet.</p>
        <button type="button" onClick={() => void expandNode(node.id)}>
          Show the next ones
        </button>
      </aside>
    );
  }
  const entity = entityOfNode(node.id)!;
  const links = edges
    .filter((e) => (e.source === node.id || e.target === node.id) && e.relation !== 'more')
    .sort((a, b) => b.count - a.count)
    .slice(0, 30);
  return (
    <aside className="graph-side" data-testid="graph-side">
      <div className="dim">{KIND_LABELS[node.kind]}</div>
      <h3>
        <Copyable value={node.value} mono />
      </h3>
      <div className="dim" style={{ marginBottom: 8 }}>
        {formatCount(node.weight)} events on the edges shown
      </div>
      <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap', marginBottom: 10 }}>
        <button type="button" className="small" onClick={() => void expandNode(node.id)}>
          Expand
        </button>
        <button type="button" className="small" onClick={() => void loadGraph([entity])}>
          Start here
        </button>
        <PivotButtons entity={entity} />
      </div>
      {node.findingIds.length ? (
        <div className="section" style={{ marginTop: 0 }}>
          <h3>Findings ({node.severity})</h3>
          <div className="section-body">
            {node.findingIds.map((id, i) => (
              <div key={id}>
                <button
                  type="button"
                  className="link mono"
                  title={`Finding ${id}`}
                  onClick={() => {
                    void selectFinding(id);
                    setView('findings');
                  }}
                >
                  {node.findingTypes[i] ?? id}
                </button>
              </div>
            ))}
          </div>
        </div>
      ) : null}
      <div className="section">
        <h3>Connections</h3>
        <table className="data">
          <tbody>
            {links.map((e) => {
              const other = e.source === node.id ? e.target : e.source;
              const o = nodes[other];
              return (
                <tr key={e.id}>
                  <td className="dim">{e.source === node.id ? e.relation : `← ${e.relation}`}</td>
                  <td className="mono" title={o?.value ?? other}>
                    {o?.label ?? other}
                  </td>
                  <td className="num">{formatCount(e.count)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </aside>
  );
}

function Legend() {
  return (
    <div className="graph-legend" style={{ marginTop: 10 }}>
      {Object.entries(KIND_COLORS).map(([kind, color]) => (
        <span key={kind}>
          <i style={{ background: color }} />
          {KIND_LABELS[kind as keyof typeof KIND_LABELS]}
        </span>
      ))}
      <span>A coloured ring marks an entity with findings (ring colour = highest severity).</span>
    </div>
  );
}

export function GraphView() {
  const nodes = useAppStore((s) => s.graph.nodes);
  const edges = useGraphEdges();
  const revision = useAppStore((s) => s.graph.revision);
  const loading = useAppStore((s) => s.graph.loading);
  const error = useAppStore((s) => s.graph.error);
  const seeds = useAppStore((s) => s.graph.seeds);
  const builtFor = useAppStore((s) => s.graph.scopeKey);
  const scope = useAppStore((s) => s.workspace.scope);
  const theme = useAppStore((s) => s.workspace.theme);
  const { loadGraph, selectNode, expandNode } = useAppStore(
    useShallow((s) => ({ loadGraph: s.loadGraph, selectNode: s.selectNode, expandNode: s.expandNode })),
  );
  const boxRef = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const scopeKey = JSON.stringify(scope);
  const elements = useMemo(() => toElements(nodes, edges), [nodes, edges]);

  // Build for the current filters when the view opens or they change.
  useEffect(() => {
    if (builtFor !== scopeKey && !loading) void loadGraph(scope.entity ? [scope.entity] : undefined);
    // Only the scope drives a rebuild; the graph state is read, not watched.
  }, [scopeKey]);

  useEffect(() => {
    if (!boxRef.current) return;
    const cy = cytoscape({
      container: boxRef.current,
      style: graphStyle(),
      wheelSensitivity: 0.3,
      minZoom: 0.15,
      maxZoom: 3,
    });
    cyRef.current = cy;
    cy.on('tap', 'node', (e) => {
      const id = e.target.id() as string;
      if (e.target.data('kind') === 'more') void expandNode(id);
      else selectNode(id);
    });
    cy.on('dbltap', 'node', (e) => void expandNode(e.target.id() as string));
    cy.on('tap', (e) => {
      if (e.target === cy) selectNode(null);
    });
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
  }, [selectNode, expandNode]);

  useEffect(() => {
    cyRef.current?.style(graphStyle());
  }, [theme]);

  // Sync the canvas with the store once per change, keeping the positions of nodes already drawn.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const known = new Set(cy.elements().map((el) => el.id()));
    const wanted = new Set(elements.map((el) => el.data.id as string));
    cy.batch(() => {
      cy.elements().forEach((el) => {
        if (!wanted.has(el.id())) el.remove();
      });
      for (const el of elements) {
        const existing = cy.getElementById(el.data.id as string);
        if (existing.nonempty()) existing.data(el.data);
        else cy.add(el);
      }
    });
    const fresh = elements.some((el) => !known.has(el.data.id as string));
    if (fresh) {
      const layout = cy.layout(layoutFor(cy, seeds, known.size === 0));
      layout.run();
      // A handful of nodes would otherwise be blown up to fill the canvas.
      if (cy.zoom() > 1.3) {
        cy.zoom(1.3);
        cy.center();
      }
    }
    // Seeds are read at layout time only; the revision says when the elements changed.
  }, [revision, elements]);

  const nodeCount = Object.values(nodes).filter((n) => n.kind !== 'more').length;
  return (
    <div className="view">
      <div className="toolbar">
        <span>
          <b>{formatCount(nodeCount)}</b> entities,{' '}
          <b>{formatCount(edges.filter((e) => e.relation !== 'more').length)}</b> relationships
        </span>
        <span className="dim">
          {seeds.length
            ? `starting from ${seeds.map((s) => `${KIND_LABELS[s.kind]} ${s.value.length > 40 ? `${s.value.slice(0, 40)}…` : s.value}`).join(', ')}`
            : ''}
        </span>
        <span style={{ marginLeft: 'auto', display: 'inline-flex', gap: 6 }}>
          <button type="button" className="small" onClick={() => void loadGraph()}>
            From findings
          </button>
          <button
            type="button"
            className="small"
            onClick={() => {
              const cy = cyRef.current;
              if (cy) cy.layout(layoutFor(cy, seeds, true)).run();
            }}
          >
            Re-layout
          </button>
          <button type="button" className="small" onClick={() => cyRef.current?.fit(undefined, 30)}>
            Fit
          </button>
        </span>
      </div>
      {loading ? <div className="loading-line" /> : <div style={{ height: 2 }} />}
      {error ? <ErrorPanel error={error} action={{ label: 'Retry', run: () => void loadGraph() }} /> : null}
      <div className="graph-wrap">
        <div className="graph-canvas">
          <div className="cy" ref={boxRef} data-testid="graph-canvas" />
          {!loading && nodeCount === 0 && !error ? (
            <div style={{ position: 'absolute', inset: 0, display: 'flex' }}>
              <EmptyState title="Nothing to draw">
                No relationships in this scope. Widen the time range or start from another entity.
              </EmptyState>
            </div>
          ) : null}
        </div>
        <SidePanel />
      </div>
    </div>
  );
}

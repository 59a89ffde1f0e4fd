import type { EntityKind, EntityRef, GraphEdge, GraphNode } from '../../../shared/api/investigate';
import { toErrorInfo, type ErrorInfo } from '../lib/api-client';
import { patcher, type SliceDeps } from './types';

/** Beyond this the picture stops helping; expanding further asks to narrow first. */
export const MAX_GRAPH_NODES = 400;
export const GRAPH_LIMIT = 12;

export interface GraphSlice {
  graph: {
    nodes: Record<string, GraphNode>;
    edges: Record<string, GraphEdge>;
    seeds: EntityRef[];
    loading: boolean;
    error: ErrorInfo | null;
    selectedId: string | null;
    /** Bumps when nodes/edges change, so the canvas syncs once per change. */
    revision: number;
    /** True when the graph was built for the current scope; a scope change marks it stale. */
    scopeKey: string;
  };
  loadGraph(seeds?: EntityRef[]): Promise<void>;
  expandNode(id: string): Promise<void>;
  selectNode(id: string | null): void;
}

/** Node ids are `<kind>:<value>`; values may contain ':' (ARNs), kinds never do. */
export function entityOfNode(id: string): EntityRef | null {
  const i = id.indexOf(':');
  if (i < 0) return null;
  const kind = id.slice(0, i) as EntityKind;
  return { kind, value: id.slice(i + 1) };
}

export function createGraphSlice({ set, get, api }: SliceDeps): GraphSlice {
  const patch = patcher(set, 'graph');
  let seq = 0;
  return {
    graph: {
      nodes: {},
      edges: {},
      seeds: [],
      loading: false,
      error: null,
      selectedId: null,
      revision: 0,
      scopeKey: '',
    },
    loadGraph: async (seeds) => {
      const mine = ++seq;
      const scope = get().workspace.scope;
      patch({ loading: true, error: null });
      try {
        // From one chosen entity, two hops tell more (key -> user -> addresses); from findings, one.
        const g = await api['graph:neighborhood']({
          scope,
          seeds: seeds ?? [],
          limit: GRAPH_LIMIT,
          hops: seeds?.length ? 2 : 1,
        });
        if (mine !== seq) return;
        patch((s) => ({
          nodes: Object.fromEntries(g.nodes.map((n) => [n.id, n])),
          edges: Object.fromEntries(g.edges.map((e) => [e.id, e])),
          seeds: g.seeds,
          loading: false,
          selectedId: g.seeds[0] ? `${g.seeds[0].kind}:${g.seeds[0].value}` : null,
          revision: s.revision + 1,
          scopeKey: JSON.stringify(scope),
        }));
      } catch (error) {
        if (mine === seq) patch({ loading: false, error: toErrorInfo(error) });
      }
    },
    expandNode: async (id) => {
      const g = get().graph;
      const node = g.nodes[id];
      if (!node) return;
      if (Object.keys(g.nodes).length >= MAX_GRAPH_NODES) {
        get().notify({
          kind: 'info',
          title: 'The graph is full',
          message: `Over ${MAX_GRAPH_NODES} nodes: narrow the time range or start from one entity.`,
        });
        return;
      }
      const parentId = node.kind === 'more' ? node.parent : node.id;
      const entity = parentId ? entityOfNode(parentId) : null;
      if (!entity) return;
      const mine = ++seq;
      patch({ loading: true, error: null });
      try {
        const more = await api['graph:neighborhood']({
          scope: get().workspace.scope,
          seeds: [entity],
          limit: GRAPH_LIMIT,
          offset: node.kind === 'more' ? node.nextOffset : 0,
        });
        if (mine !== seq) return;
        patch((s) => {
          const nodes = { ...s.nodes };
          const edges = { ...s.edges };
          // The old "+N more" of this parent is replaced by the new page's own (if any remain).
          delete nodes[`more:${parentId}`];
          delete edges[`${parentId}|more`];
          for (const n of more.nodes) {
            const old = nodes[n.id];
            nodes[n.id] = old ? { ...n, seed: old.seed || n.seed, weight: Math.max(old.weight, n.weight) } : n;
          }
          for (const e of more.edges) edges[e.id] = e;
          return { nodes, edges, loading: false, revision: s.revision + 1, selectedId: parentId };
        });
      } catch (error) {
        if (mine === seq) patch({ loading: false, error: toErrorInfo(error) });
      }
    },
    selectNode: (selectedId) => patch({ selectedId }),
  };
}

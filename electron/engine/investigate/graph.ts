import type {
  EntityKind,
  EntityRef,
  GraphData,
  GraphEdge,
  GraphNode,
  GraphRelation,
  Scope,
} from '../../../shared/api/investigate';
import type { Database } from '../db/database';
import { findingEntitiesSql, findingScopeWhere } from './finding-entities';
import { edgeDefsFor, PRINCIPAL, type EdgeDef } from './graph-edges';
import { rollupReady } from './rollups';
import { paramsFor, prepareScope, whereFor, type Params } from './scope';
import { resolveSources, type ResolvedSource } from './sources';

export { isPublic } from './graph-edges';

const UI_READ = { timeoutMs: 30_000 };

export const nodeId = (kind: string, value: string): string => `${kind}:${value}`;

/** Short, readable labels; the full value stays in `value`. */
export function nodeLabel(kind: EntityKind, value: string): string {
  if (kind === 'principal') {
    const root = /^arn:aws[\w-]*:iam::(\d+):root$/.exec(value);
    if (root) return `root (${root[1]})`;
    const slash = value.lastIndexOf('/');
    if (value.startsWith('arn:') && slash >= 0) {
      const type = /:(user|role|assumed-role|federated-user)\//.exec(value)?.[1];
      return type === 'role' || type === 'assumed-role' ? `role/${value.slice(slash + 1)}` : value.slice(slash + 1);
    }
  }
  return value.length > 48 ? `${value.slice(0, 22)}…${value.slice(-22)}` : value;
}

type EdgeRow = {
  seed_kind: string;
  seed: string;
  sk: EntityKind;
  s: string;
  dk: EntityKind;
  d: string;
  rel: GraphRelation;
  n: number;
  total: number;
};

/**
 * The neighbourhood of some entities: for each seed, its `limit` heaviest edges after `offset`
 * (ranked in SQL), plus a "+N more" summary node when more are hidden. With no seeds, the
 * entities of the most severe findings in scope (or the busiest principals) are used.
 */
/** Neighbour kinds worth a second hop: hubs (IPs, accounts, domains) would flood the picture. */
const SECOND_HOP_KINDS = new Set<string>(['principal', 'accessKey', 'instance', 'bucket']);
const SECOND_HOP_SEEDS = 8;
const SECOND_HOP_LIMIT = 6;

export async function graphNeighborhood(
  db: Database,
  scope: Scope,
  seedsIn: EntityRef[],
  limit: number,
  offset: number,
  hops: 1 | 2 = 1,
  options: { rollups?: boolean } = {},
): Promise<GraphData> {
  const all = await resolveSources(db);
  const { params, sources } = await prepareScope(db, scope, all);
  // The adjacency rollup holds whole-case counts: it answers scopes without a time range or entity.
  const adjacency =
    options.rollups !== false &&
    scope.from === undefined &&
    scope.to === undefined &&
    !scope.entity &&
    (await rollupReady(db, 'graph_adjacency', all));
  const hasCloudtrail = sources.some((s) => s.source === 'cloudtrail');
  const scopeParams: Params = { ...params };
  if (scope.entity) scopeParams['entityKind'] = scope.entity.kind;

  const seeds =
    seedsIn.length > 0
      ? await principalArns(db, dedupeSeeds(seedsIn), hasCloudtrail)
      : await defaultSeeds(db, scope, scopeParams, sources, hasCloudtrail);
  if (seeds.length === 0) return { nodes: [], edges: [], seeds: [] };

  const graph: Partial = { nodes: new Map(), edges: new Map() };
  for (const seed of seeds) graph.nodes.set(nodeId(seed.kind, seed.value), makeNode(seed.kind, seed.value, true));
  const ctx = { db, scope, params, sources, adjacency };
  await neighbours(ctx, seeds, limit, offset, graph);
  if (hops === 2) {
    // A second hop from the heaviest non-hub neighbours, capped harder than the first.
    const next = [...graph.nodes.values()]
      .filter((n) => !n.seed && SECOND_HOP_KINDS.has(n.kind))
      .sort((a, b) => b.weight - a.weight)
      .slice(0, SECOND_HOP_SEEDS)
      .map((n) => ({ kind: n.kind as EntityKind, value: n.value }));
    if (next.length > 0) await neighbours(ctx, next, Math.min(limit, SECOND_HOP_LIMIT), 0, graph);
  }
  return finish(db, [...graph.nodes.values()], [...graph.edges.values()], seeds, scope, scopeParams, hasCloudtrail);
}

interface Partial {
  nodes: Map<string, GraphNode>;
  edges: Map<string, GraphEdge>;
}

interface NeighbourContext {
  db: Database;
  scope: Scope;
  params: Params;
  sources: ResolvedSource[];
  /** Read the edges from `graph_adjacency` instead of the event tables. */
  adjacency: boolean;
}

/**
 * The edges touching any seed, summed over the edge definitions, from the adjacency rollup: an
 * edge between two seeds is filed under both, so each (source, account, region) row is kept once.
 */
function adjacencyEdges(ctx: NeighbourContext): { sql: string; params: Params } {
  const filters = [`list_contains(from_json($msources, '["VARCHAR"]'), a.source)`];
  if (ctx.scope.accounts && ctx.scope.accounts.length > 0)
    filters.push(`list_contains(from_json($accounts, '["VARCHAR"]'), a.account_id)`);
  if (ctx.scope.regions && ctx.scope.regions.length > 0)
    filters.push(`list_contains(from_json($regions, '["VARCHAR"]'), a.region)`);
  const sql = `SELECT sk, s, dk, d, rel, sum(n) AS n FROM (
      SELECT a.source, a.account_id, a.region, a.sk, a.s, a.dk, a.d, a.rel, any_value(a.n) AS n
        FROM graph_adjacency a JOIN seeds ON a.node_kind = seeds.kind AND a.node = seeds.value
       WHERE ${filters.join(' AND ')}
       GROUP BY ALL
    ) GROUP BY ALL`;
  return { sql, params: { ...ctx.params, msources: JSON.stringify(ctx.sources.map((s) => s.source)) } };
}

/** Adds to `graph` each seed's edges ranked (offset, offset + limit], and a "+N more" node for the rest. */
async function neighbours(
  ctx: NeighbourContext,
  seeds: EntityRef[],
  limit: number,
  offset: number,
  graph: Partial,
): Promise<void> {
  let edgeSql: string;
  let edgeParams: Params = ctx.params;
  let touch = '';
  if (ctx.adjacency) {
    ({ sql: edgeSql, params: edgeParams } = adjacencyEdges(ctx));
  } else {
    // Each table is scanned once: the rows touching any seed are materialized with the columns the
    // edge definitions read, then every definition of that table aggregates that small set.
    const ctes: string[] = [];
    const parts: string[] = [];
    const seedMatch = (def: EdgeDef) =>
      `(${def.src} IN (SELECT value FROM seeds WHERE kind = '${def.srcKind}') OR ${def.dst} IN (SELECT value FROM seeds WHERE kind = '${def.dstKind}'))`;
    const defs = edgeDefsFor(ctx.sources);
    for (const source of new Set(defs.map((d) => d.source))) {
      const mine = defs.filter((d) => d.source === source);
      const where = whereFor(mine[0]!.resolved, ctx.scope);
      if (where === null) continue;
      const columns = [...new Set(mine.flatMap((d) => d.needs))].join(', ');
      ctes.push(
        `touch_${source} AS MATERIALIZED (SELECT ${columns} FROM ${source} t WHERE ${where} AND (${mine.map(seedMatch).join(' OR ')}))`,
      );
      for (const def of mine) {
        parts.push(`SELECT '${def.srcKind}' AS sk, ${def.src} AS s, '${def.dstKind}' AS dk, ${def.dst} AS d, ${def.relation} AS rel, count(*) AS n
                      FROM touch_${source} t WHERE ${def.where} AND ${seedMatch(def)} GROUP BY ALL`);
      }
    }
    if (parts.length === 0) return;
    touch = `${ctes.join(', ')}, `;
    edgeSql = `SELECT sk, s, dk, d, rel, sum(n) AS n FROM (${parts.join(' UNION ALL ')})
                WHERE s IS NOT NULL AND d IS NOT NULL AND s <> '' AND d <> '' GROUP BY ALL`;
  }
  const sql = `
    WITH seeds AS (
      SELECT * FROM (SELECT unnest(from_json($seeds, '[{"kind":"VARCHAR","value":"VARCHAR"}]'), recursive := true))
    ), ${touch}e AS (${edgeSql}), touching AS (
      SELECT seeds.kind AS seed_kind, seeds.value AS seed, e.*,
             row_number() OVER (PARTITION BY seeds.kind, seeds.value ORDER BY e.n DESC, e.rel, e.s, e.d) AS rk,
             count(*) OVER (PARTITION BY seeds.kind, seeds.value) AS total
        FROM e JOIN seeds ON (e.sk = seeds.kind AND e.s = seeds.value) OR (e.dk = seeds.kind AND e.d = seeds.value)
    )
    SELECT seed_kind, seed, sk, s, dk, d, rel, n::DOUBLE AS n, total::DOUBLE AS total
      FROM touching WHERE rk > $offset AND rk <= $offset + $limit
     ORDER BY seed_kind, seed, rk`;
  const rows = await ctx.db.all<EdgeRow>(
    sql,
    { ...paramsFor(sql, edgeParams), seeds: JSON.stringify(seeds), offset, limit },
    UI_READ,
  );
  const { nodes, edges } = graph;
  const totals = new Map<string, number>();
  for (const r of rows) {
    totals.set(nodeId(r.seed_kind, r.seed), r.total);
    const a = nodeId(r.sk, r.s);
    const b = nodeId(r.dk, r.d);
    if (!nodes.has(a)) nodes.set(a, makeNode(r.sk, r.s, false));
    if (!nodes.has(b)) nodes.set(b, makeNode(r.dk, r.d, false));
    const id = `${a}|${r.rel}|${b}`;
    if (edges.has(id)) continue;
    edges.set(id, { id, source: a, target: b, relation: r.rel, count: r.n });
    nodes.get(a)!.weight += r.n;
    nodes.get(b)!.weight += r.n;
  }
  for (const [seedId, total] of totals) {
    const hidden = total - Math.min(total, offset + limit);
    if (hidden <= 0) continue;
    const more: GraphNode = {
      id: `more:${seedId}`,
      kind: 'more',
      value: seedId,
      label: `+${hidden} more`,
      weight: 0,
      severity: null,
      findingIds: [],
      findingTypes: [],
      seed: false,
      parent: seedId,
      hidden,
      nextOffset: offset + limit,
    };
    nodes.set(more.id, more);
    edges.set(`${seedId}|more`, {
      id: `${seedId}|more`,
      source: seedId,
      target: more.id,
      relation: 'more',
      count: hidden,
    });
  }
}

function makeNode(kind: EntityKind, value: string, seed: boolean): GraphNode {
  return {
    id: nodeId(kind, value),
    kind,
    value,
    label: nodeLabel(kind, value),
    weight: 0,
    severity: null,
    findingIds: [],
    findingTypes: [],
    seed,
    parent: null,
    hidden: 0,
    nextOffset: 0,
  };
}

function dedupeSeeds(seeds: EntityRef[]): EntityRef[] {
  const seen = new Map<string, EntityRef>();
  for (const s of seeds) {
    const value = s.kind === 'domain' ? s.value.toLowerCase().replace(/\.$/, '') : s.value;
    seen.set(nodeId(s.kind, value), { kind: s.kind, value });
  }
  return [...seen.values()];
}

/**
 * Principal nodes are keyed by ARN (the role's for sessions), but a finding names a user by
 * name or principal id: translate those through the CloudTrail events that carry both.
 */
async function principalArns(db: Database, seeds: EntityRef[], hasCloudtrail: boolean): Promise<EntityRef[]> {
  if (!hasCloudtrail || !seeds.some((s) => s.kind === 'principal' && !s.value.startsWith('arn:'))) return seeds;
  const out: EntityRef[] = [];
  for (const seed of seeds) {
    if (seed.kind !== 'principal' || seed.value.startsWith('arn:')) {
      out.push(seed);
      continue;
    }
    const row = await db.one<{ arn: string }>(
      `SELECT ${PRINCIPAL} AS arn FROM cloudtrail t
        WHERE (t.principal_name = $v OR t.principal_id = $v) AND ${PRINCIPAL} IS NOT NULL
        GROUP BY ALL ORDER BY count(*) DESC LIMIT 1`,
      { v: seed.value },
      UI_READ,
    );
    out.push(row ? { kind: 'principal', value: row.arn } : seed);
  }
  return dedupeSeeds(out);
}

async function defaultSeeds(
  db: Database,
  scope: Scope,
  params: Params,
  sources: ResolvedSource[],
  hasCloudtrail: boolean,
): Promise<EntityRef[]> {
  if (scope.entity) return dedupeSeeds([scope.entity]);
  const sql = `
    WITH sf AS (SELECT * FROM findings f WHERE ${findingScopeWhere(scope, { cloudtrail: hasCloudtrail })}),
         fe AS (${findingEntitiesSql('sf', { cloudtrail: hasCloudtrail })})
    SELECT fe.kind, fe.value FROM fe JOIN sf ON sf.id = fe.finding_id
     WHERE fe.kind IN ('principal', 'accessKey', 'instance', 'bucket', 'domain')
     GROUP BY ALL ORDER BY max(sf.severity) DESC, sum(sf.count) DESC, fe.kind, fe.value LIMIT 6`;
  const fromFindings = await db.all<EntityRef>(sql, paramsFor(sql, params), UI_READ);
  if (fromFindings.length > 0) return fromFindings;
  const ct = sources.find((s) => s.source === 'cloudtrail');
  if (!ct) return [];
  const where = whereFor(ct, scope);
  if (where === null) return [];
  const busiest = `SELECT 'principal' AS kind, ${PRINCIPAL} AS value FROM cloudtrail t
                    WHERE ${where} AND ${PRINCIPAL} IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC, value LIMIT 5`;
  return db.all<EntityRef>(busiest, paramsFor(busiest, params), UI_READ);
}

/** Marks nodes that findings are about, with the highest severity and up to 10 finding ids and types (most severe first, so the same 10 every time). */
async function finish(
  db: Database,
  nodes: GraphNode[],
  edges: GraphEdge[],
  seeds: EntityRef[],
  scope: Scope,
  params: Params,
  hasCloudtrail: boolean,
): Promise<GraphData> {
  const entities = nodes.filter((n) => n.kind !== 'more').map((n) => ({ kind: n.kind, value: n.value }));
  if (entities.length > 0) {
    const sql = `
      WITH nodes AS (
        SELECT * FROM (SELECT unnest(from_json($nodes, '[{"kind":"VARCHAR","value":"VARCHAR"}]'), recursive := true))
      ), sf AS (SELECT * FROM findings f WHERE ${findingScopeWhere(scope, { cloudtrail: hasCloudtrail })}),
      fe AS (${findingEntitiesSql('sf', { cloudtrail: hasCloudtrail })})
      SELECT kind, value, max(severity) AS severity, list(id ORDER BY severity DESC, id)[1:10] AS ids,
             list(type ORDER BY severity DESC, id)[1:10] AS types FROM (
        SELECT DISTINCT fe.kind, fe.value, sf.id, sf.type, sf.severity
          FROM fe JOIN nodes ON nodes.kind = fe.kind AND nodes.value = fe.value
          JOIN sf ON sf.id = fe.finding_id
      ) GROUP BY ALL`;
    const hits = await db.all<{ kind: string; value: string; severity: number; ids: string[]; types: string[] }>(
      sql,
      { ...paramsFor(sql, params), nodes: JSON.stringify(entities) },
      UI_READ,
    );
    const byId = new Map(nodes.map((n) => [n.id, n]));
    for (const h of hits) {
      const node = byId.get(nodeId(h.kind, h.value));
      if (!node) continue;
      node.severity = h.severity >= 9 ? 'Critical' : h.severity >= 7 ? 'High' : h.severity >= 4 ? 'Medium' : 'Low';
      node.findingIds = h.ids;
      node.findingTypes = h.types;
    }
  }
  return { nodes, edges, seeds };
}

import type {
  EntityKind,
  EntityRef,
  GraphData,
  GraphEdge,
  GraphNode,
  GraphRelation,
  Scope,
  SourceName,
} from '../../../shared/api/investigate';
import type { Database } from '../db/database';
import { findingEntitiesSql, findingScopeWhere } from './finding-entities';
import { paramsFor, prepareScope, whereFor, type Params } from './scope';
import { resolveSources, type ResolvedSource } from './sources';

const UI_READ = { timeoutMs: 30_000 };

/**
 * Relationship edges, extracted in SQL from the event tables. Each definition is a constant
 * fragment over the table aliased `t`; the entity values land in the graph with the same
 * spelling the scope predicates and finding entities use (role ARN for sessions, domain in
 * lower case without the trailing dot).
 */
interface EdgeDef {
  source: SourceName;
  needs: readonly string[];
  /** Tells apart definitions of the same relation that read different columns. */
  variant?: string;
  srcKind: EntityKind;
  src: string;
  dstKind: EntityKind;
  dst: string;
  relation: string;
  where: string;
}

const PRINCIPAL = 'coalesce(t.session_issuer_arn, t.principal_arn)';
const IS_IP = `(ip4_to_int(t.source_ip) IS NOT NULL OR contains(t.source_ip, ':'))`;
/**
 * Private, loopback, link-local, CGNAT, multicast/reserved IPv4 (the ranges of the
 * ip4_is_private macro) and IPv6 ULA/link-local/loopback, as ONE regex on the text. The macros
 * expand ip4_to_int once per use of its argument; over millions of flow rows, with the address
 * repeated by filter pushdown, that expansion cost seconds to minutes.
 */
const NOT_PUBLIC = `'^(10\\.|127\\.|0\\.|169\\.254\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\\.|2(2[4-9]|[3-5][0-9])\\.|[fF][cCdD]|[fF][eE]80|::1$)'`;
export const isPublic = (column: string) =>
  `(${column} IS NOT NULL AND (contains(${column}, '.') OR contains(${column}, ':')) AND NOT regexp_matches(${column}, ${NOT_PUBLIC}))`;
const INSTANCE_SESSION = `(t.principal_type = 'AssumedRole' AND regexp_full_match(t.session_name, 'i-[0-9a-f]{8,17}'))`;

const EDGES: readonly EdgeDef[] = [
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'source_ip'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'ip',
    dst: 't.source_ip',
    relation: `'called from'`,
    where: IS_IP,
  },
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'access_key_id'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'accessKey',
    dst: 't.access_key_id',
    relation: `'used key'`,
    where: 'true',
  },
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'event_name', 'request_parameters', 'error_code'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'principal',
    dst: `(t.request_parameters->>'roleArn')`,
    relation: `'assumed'`,
    where: `t.event_name IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity') AND t.error_code IS NULL`,
  },
  {
    source: 'cloudtrail',
    needs: ['principal_type', 'session_name', 'session_issuer_arn'],
    srcKind: 'instance',
    src: 't.session_name',
    dstKind: 'principal',
    dst: 't.session_issuer_arn',
    relation: `'instance role'`,
    where: INSTANCE_SESSION,
  },
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'bucket_name', 'request_parameters', 'read_only'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'bucket',
    dst: `coalesce(t.bucket_name, (t.request_parameters->>'bucketName'))`,
    relation: `CASE WHEN t.read_only THEN 'read' ELSE 'wrote' END`,
    where: 'true',
  },
  {
    source: 'cloudtrail',
    needs: ['principal_arn', 'session_issuer_arn', 'account_id', 'recipient_account_id'],
    srcKind: 'principal',
    src: PRINCIPAL,
    dstKind: 'account',
    dst: 'coalesce(t.account_id, t.recipient_account_id)',
    relation: `'in account'`,
    where: 'true',
  },
  // The remote side of a flow is whichever address is public; one definition per side keeps
  // the address a plain column (the rows of both sides are summed per pair below).
  ...(['dstaddr', 'srcaddr'] as const).flatMap((side): EdgeDef[] => [
    {
      source: 'vpcflow',
      needs: ['instance_id', 'interface_id', 'srcaddr', 'dstaddr'],
      variant: side,
      srcKind: 'instance',
      src: 'coalesce(t.instance_id, t.interface_id)',
      dstKind: 'ip',
      dst: `t.${side}`,
      relation: `'connected to'`,
      where: isPublic(`t.${side}`),
    },
    {
      source: 'vpcflow',
      needs: ['interface_id', 'srcaddr', 'dstaddr'],
      variant: side,
      srcKind: 'instance',
      src: 't.interface_id',
      dstKind: 'ip',
      dst: `t.${side}`,
      relation: `'connected to'`,
      where: isPublic(`t.${side}`),
    },
  ]),
  {
    source: 'dns',
    needs: ['instance_id', 'query_name'],
    srcKind: 'instance',
    src: 't.instance_id',
    dstKind: 'domain',
    dst: `rtrim(lower(t.query_name), '.')`,
    relation: `'resolved'`,
    where: 'true',
  },
  {
    source: 'dns',
    needs: ['srcids_instance', 'query_name'],
    srcKind: 'instance',
    src: 't.srcids_instance',
    dstKind: 'domain',
    dst: `rtrim(lower(t.query_name), '.')`,
    relation: `'resolved'`,
    where: 'true',
  },
];

/** One definition per (source, relation kind): the first whose columns exist wins. */
function edgeDefsFor(sources: ResolvedSource[]): Array<EdgeDef & { resolved: ResolvedSource }> {
  const out: Array<EdgeDef & { resolved: ResolvedSource }> = [];
  const taken = new Set<string>();
  for (const def of EDGES) {
    const resolved = sources.find((s) => s.source === def.source);
    if (!resolved || !def.needs.every((n) => resolved.columns.has(n))) continue;
    const slot = `${def.source}:${def.srcKind}:${def.dstKind}:${def.relation}:${def.variant ?? ''}`;
    if (taken.has(slot)) continue;
    taken.add(slot);
    out.push({ ...def, resolved });
  }
  return out;
}

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
): Promise<GraphData> {
  const all = await resolveSources(db);
  const { params, sources } = await prepareScope(db, scope, all);
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
  const ctx = { db, scope, params, sources };
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
}

/** Adds to `graph` each seed's edges ranked (offset, offset + limit], and a "+N more" node for the rest. */
async function neighbours(
  ctx: NeighbourContext,
  seeds: EntityRef[],
  limit: number,
  offset: number,
  graph: Partial,
): Promise<void> {
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
  const sql = `
    WITH seeds AS (
      SELECT * FROM (SELECT unnest(from_json($seeds, '[{"kind":"VARCHAR","value":"VARCHAR"}]'), recursive := true))
    ), ${ctes.join(', ')}, e AS (
      SELECT sk, s, dk, d, rel, sum(n) AS n FROM (${parts.join(' UNION ALL ')})
       WHERE s IS NOT NULL AND d IS NOT NULL AND s <> '' AND d <> '' GROUP BY ALL
    ), touching AS (
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
    { ...paramsFor(sql, ctx.params), seeds: JSON.stringify(seeds), offset, limit },
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

/** Marks nodes that findings are about, with the highest severity and up to 10 finding ids. */
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
      SELECT fe.kind, fe.value, max(sf.severity) AS severity, list(DISTINCT sf.id)[1:10] AS ids
        FROM fe JOIN nodes ON nodes.kind = fe.kind AND nodes.value = fe.value
        JOIN sf ON sf.id = fe.finding_id
       GROUP BY ALL`;
    const hits = await db.all<{ kind: string; value: string; severity: number; ids: string[] }>(
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
    }
  }
  return { nodes, edges, seeds };
}

import type { Database } from '../db/database';
import { edgeDefsFor } from './graph-edges';
import { resolveSources, type ResolvedSource } from './sources';

/**
 * Small tables the timeline and the graph read instead of the event tables (which are not
 * stored in time order, so a time range never lets DuckDB skip row groups):
 *
 * - `event_minutes`: events per (source, minute, account, region), with the first and last event
 *   time of each row. The histogram counts whole minutes from it and reads only the minutes a
 *   range boundary cuts through from the events.
 * - `graph_adjacency`: every relationship edge counted once per (source, account, region), stored
 *   once per endpoint (`node_kind`, `node`) and sorted by it, so a node's edges are found by the
 *   zone maps of a few row groups.
 *
 * Both are derived data. `rollup_state` keeps, per rollup, the signature of the event tables it
 * was built from (row counts, the file manifest, the build version); a rollup whose signature no
 * longer matches is rebuilt before it is read, so a case saved by an older version, more logs
 * added, or rows inserted by any other path never give stale figures.
 */
export type RollupName = 'event_minutes' | 'graph_adjacency';

/** Bump when the build SQL changes: every case rebuilds on its next read. */
const ROLLUP_VERSION = 1;

export interface RollupBuild {
  name: RollupName;
  rows: number;
  ms: number;
}

const building = new WeakMap<Database, Promise<RollupBuild[]>>();

/** The signature of what the rollups summarise, read in the caller's transaction. */
function signatureSql(sources: ResolvedSource[]): string {
  const counts = sources.map((s) => `'${s.source}=' || (SELECT count(*) FROM ${s.source})`);
  return `SELECT concat_ws(';', 'v${ROLLUP_VERSION}', ${[...counts, `'files=' || (SELECT count(*) || '/' || coalesce(max(file_id), 0) FROM files)`].join(', ')}) AS sig`;
}

/** The minute rows of one source, from its resolved columns only. */
function minutesSql(s: ResolvedSource): string {
  return `SELECT '${s.source}' AS source, time_bucket(INTERVAL 1 MINUTE, ${s.time}) AS minute,
                 ${s.account ?? 'NULL::VARCHAR'} AS account_id, ${s.region ?? 'NULL::VARCHAR'} AS region,
                 count(*) AS n, min(${s.time}) AS first_seen, max(${s.time}) AS last_seen
            FROM ${s.source} t WHERE ${s.time} IS NOT NULL GROUP BY ALL`;
}

/**
 * Every edge definition of `graph-edges.ts`, aggregated over the whole case per (source,
 * account, region), then doubled so each endpoint can be looked up.
 */
function adjacencySql(sources: ResolvedSource[]): string | null {
  const parts = edgeDefsFor(sources).map(
    (def) =>
      `SELECT '${def.source}' AS source, ${def.resolved.account ?? 'NULL::VARCHAR'} AS account_id,
              ${def.resolved.region ?? 'NULL::VARCHAR'} AS region,
              '${def.srcKind}' AS sk, ${def.src} AS s, '${def.dstKind}' AS dk, ${def.dst} AS d, ${def.relation} AS rel,
              ${def.resolved.time} AS ts
         FROM ${def.source} t WHERE ${def.resolved.time} IS NOT NULL AND ${def.where}`,
  );
  if (parts.length === 0) return null;
  return `WITH e AS (
      SELECT source, account_id, region, sk, s, dk, d, rel, count(*) AS n, min(ts) AS first_seen, max(ts) AS last_seen
        FROM (${parts.join(' UNION ALL ')})
       WHERE s IS NOT NULL AND d IS NOT NULL AND s <> '' AND d <> ''
       GROUP BY ALL
    )
    SELECT node_kind, node, side, source, account_id, region, sk, s, dk, d, rel, n, first_seen, last_seen FROM (
      SELECT sk AS node_kind, s AS node, 'src' AS side, * FROM e
      UNION ALL
      SELECT dk AS node_kind, d AS node, 'dst' AS side, * FROM e
    ) ORDER BY node_kind, node`;
}

const BUILDERS: Record<RollupName, (sources: ResolvedSource[]) => string | null> = {
  event_minutes: (sources) =>
    sources.length === 0 ? null : `${sources.map(minutesSql).join(' UNION ALL ')} ORDER BY minute`,
  graph_adjacency: adjacencySql,
};

/**
 * Rebuilds every rollup whose signature is out of date, each in one transaction (a reader sees
 * the old rows or the new ones, never half). Concurrent callers on the same database share one
 * build. The case load path calls this once the events are in.
 */
export function refreshRollups(db: Database, options: { signal?: AbortSignal } = {}): Promise<RollupBuild[]> {
  const running = building.get(db);
  if (running) return running;
  const build = rebuildStale(db, options.signal).finally(() => building.delete(db));
  building.set(db, build);
  return build;
}

async function rebuildStale(db: Database, signal: AbortSignal | undefined): Promise<RollupBuild[]> {
  const sources = await resolveSources(db);
  const built: RollupBuild[] = [];
  for (const name of Object.keys(BUILDERS) as RollupName[]) {
    const started = performance.now();
    const rows = await db.withConnection(
      async (conn) => {
        await conn.run('BEGIN TRANSACTION');
        try {
          const sig = (await conn.runAndReadAll(signatureSql(sources))).getRowObjectsJson()[0]?.['sig'] as string;
          const state = await conn.runAndReadAll(`SELECT signature FROM rollup_state WHERE name = $name`, { name });
          if (state.getRowObjectsJson()[0]?.['signature'] === sig) {
            await conn.run('ROLLBACK');
            return null;
          }
          await conn.run(`DELETE FROM ${name}`);
          const select = BUILDERS[name](sources);
          if (select) await conn.run(`INSERT INTO ${name} ${select}`);
          const count = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${name}`)).getRowObjectsJson()[0];
          await conn.run(`INSERT OR REPLACE INTO rollup_state VALUES ($name, $sig, now(), $rows)`, {
            name,
            sig,
            rows: Number(count?.['n'] ?? 0),
          });
          await conn.run('COMMIT');
          return Number(count?.['n'] ?? 0);
        } catch (error) {
          await conn.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      },
      signal ? { signal } : {},
    );
    if (rows !== null) built.push({ name, rows, ms: Math.round(performance.now() - started) });
  }
  return built;
}

/**
 * True when `name` matches the event tables as they are now, rebuilding it first if not.
 * `sources` are all the event tables present (`resolveSources`), not only those in scope. False
 * only when the rollup tables are missing (a database nobody migrated): callers then read the
 * event tables directly.
 */
export async function rollupReady(db: Database, name: RollupName, sources: ResolvedSource[]): Promise<boolean> {
  const tables = await db.all<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE schema_name = 'main' AND list_contains(['rollup_state', $name], table_name)`,
    { name },
  );
  if ((tables[0]?.n ?? 0) < 2) return false;
  const fresh = await db.one<{ fresh: boolean }>(
    `SELECT coalesce((SELECT signature FROM rollup_state WHERE name = $name) = (${signatureSql(sources)}), false) AS fresh`,
    { name },
  );
  if (fresh?.fresh) return true;
  await refreshRollups(db);
  return true;
}

import type { Scope } from '../../../shared/api/investigate';
import type { Database } from '../db/database';
import { paramsFor, whereFor, type Params } from './scope';
import type { ResolvedSource } from './sources';

const UI_READ = { timeoutMs: 30_000 };
const MINUTE_MS = 60_000;

/**
 * Event counts in a time range from the `event_minutes` rollup, exactly as a count over the
 * event tables would give them. A minute row whose events all lie inside [lo, hi) counts whole;
 * a minute the range boundary cuts through (at most the minute of `lo` and the minute of `hi`)
 * is counted from the event table instead, restricted to that minute.
 *
 * Only for scopes without an entity (the rollup has no entity columns); accounts, regions and
 * sources are columns of the rollup.
 */
export interface RangeCounts {
  /** `SELECT src, b, n` rows: events per source per bucket (b is NULL without a step). */
  sql: string;
  params: Params;
}

/** WHERE fragment over `event_minutes m` for the scope's sources, accounts and regions. */
function minuteFilter(scope: Scope): string {
  const parts = [`list_contains(from_json($msources, '["VARCHAR"]'), m.source)`];
  if (scope.accounts && scope.accounts.length > 0)
    parts.push(`list_contains(from_json($accounts, '["VARCHAR"]'), m.account_id)`);
  if (scope.regions && scope.regions.length > 0)
    parts.push(`list_contains(from_json($regions, '["VARCHAR"]'), m.region)`);
  return parts.join(' AND ');
}

/** Sources the scope keeps (a source without an account column drops out of an account filter, as in `whereFor`). */
function kept(sources: ResolvedSource[], scope: Scope): ResolvedSource[] {
  return sources.filter((s) => whereFor(s, { ...scope, from: undefined, to: undefined }) !== null);
}

/**
 * The time extent of the events in scope from the rollup: `lo` honours `to` and `hi` honours
 * `from` (the caller only needs the bound the scope leaves open).
 */
export async function rollupExtent(
  db: Database,
  scope: Scope,
  params: Params,
  sources: ResolvedSource[],
): Promise<{ lo: number | null; hi: number | null }> {
  const names = kept(sources, scope).map((s) => s.source);
  if (names.length === 0) return { lo: null, hi: null };
  const sql = `SELECT epoch_ms(min(first_seen) FILTER (WHERE ${scope.to !== undefined ? 'm.first_seen < CAST($to AS TIMESTAMPTZ)' : 'true'}))::DOUBLE AS lo,
                      epoch_ms(max(last_seen) FILTER (WHERE ${scope.from !== undefined ? 'm.last_seen >= CAST($from AS TIMESTAMPTZ)' : 'true'}))::DOUBLE AS hi
                 FROM event_minutes m WHERE ${minuteFilter(scope)}`;
  const row = await db.one<{ lo: number | null; hi: number | null }>(
    sql,
    paramsFor(sql, { ...params, msources: JSON.stringify(names) }),
    UI_READ,
  );
  return { lo: row?.lo ?? null, hi: row?.hi ?? null };
}

/**
 * SQL for events per source (and per bucket of `stepSeconds`, a multiple of 60, when given) in
 * [loMs, hiMs); a null bound is open. The returned SQL reads `$step` when stepped.
 */
export async function rollupCounts(
  db: Database,
  scope: Scope,
  params: Params,
  sources: ResolvedSource[],
  range: { loMs: number | null; hiMs: number | null; stepSeconds: number | null },
): Promise<RangeCounts> {
  const keep = kept(sources, scope);
  const names = keep.map((s) => s.source);
  const out: Params = { ...params, msources: JSON.stringify(names) };
  const inRange: string[] = [];
  if (range.loMs !== null) {
    out['rlo'] = new Date(range.loMs).toISOString();
    inRange.push('CAST($rlo AS TIMESTAMPTZ)');
  }
  if (range.hiMs !== null) out['rhi'] = new Date(range.hiMs).toISOString();
  const overlaps = [
    range.hiMs !== null ? 'm.first_seen < CAST($rhi AS TIMESTAMPTZ)' : 'true',
    range.loMs !== null ? 'm.last_seen >= CAST($rlo AS TIMESTAMPTZ)' : 'true',
  ].join(' AND ');
  const cutsRow = [
    range.loMs !== null ? 'm.first_seen < CAST($rlo AS TIMESTAMPTZ)' : 'false',
    range.hiMs !== null ? 'm.last_seen >= CAST($rhi AS TIMESTAMPTZ)' : 'false',
  ].join(' OR ');
  // The (source, minute) pairs a boundary cuts: counted from the events, never from the rollup.
  const cutSql = `SELECT DISTINCT m.source, epoch_ms(m.minute)::DOUBLE AS minute FROM event_minutes m
                   WHERE ${minuteFilter(scope)} AND ${overlaps} AND (${cutsRow})`;
  const cuts = names.length
    ? await db.all<{ source: string; minute: number }>(cutSql, paramsFor(cutSql, out), UI_READ)
    : [];

  const bucket = (expr: string) =>
    range.stepSeconds !== null ? `time_bucket(to_seconds(CAST($step AS BIGINT)), ${expr})` : 'NULL::TIMESTAMPTZ';
  const parts: string[] = [];
  if (names.length > 0) {
    parts.push(`SELECT m.source AS src, ${bucket('m.minute')} AS b, sum(m.n) AS n
                  FROM event_minutes m
                 WHERE ${minuteFilter(scope)} AND ${overlaps} AND NOT (${cutsRow})
                   AND NOT list_contains(from_json($cutkeys, '["VARCHAR"]'), m.source || '@' || CAST(epoch_ms(m.minute) AS VARCHAR))
                 GROUP BY ALL`);
    out['cutkeys'] = JSON.stringify(cuts.map((c) => `${c.source}@${c.minute}`));
  }
  for (const source of keep) {
    const minutes = cuts.filter((c) => c.source === source.source).map((c) => c.minute);
    if (minutes.length === 0) continue;
    const where = whereFor(source, { ...scope, from: undefined, to: undefined })!;
    const t = source.time;
    const windows = minutes.map((ms, i) => {
      out[`cut_${source.source}_${i}`] = new Date(ms).toISOString();
      out[`cutend_${source.source}_${i}`] = new Date(ms + MINUTE_MS).toISOString();
      return `(${t} >= CAST($cut_${source.source}_${i} AS TIMESTAMPTZ) AND ${t} < CAST($cutend_${source.source}_${i} AS TIMESTAMPTZ))`;
    });
    const bounds = [
      ...inRange.map((lo) => `${t} >= ${lo}`),
      ...(range.hiMs !== null ? [`${t} < CAST($rhi AS TIMESTAMPTZ)`] : []),
    ];
    parts.push(`SELECT '${source.source}' AS src, ${bucket(t)} AS b, count(*) AS n FROM ${source.source} t
                 WHERE ${where} ${bounds.map((b) => `AND ${b}`).join(' ')} AND (${windows.join(' OR ')})
                 GROUP BY ALL`);
  }
  const sql = parts.length
    ? parts.join(' UNION ALL ')
    : `SELECT NULL::VARCHAR AS src, NULL::TIMESTAMPTZ AS b, 0 AS n WHERE false`;
  return { sql, params: out };
}

import type { AccountRow } from '../../../shared/api/investigate';
import type { Database } from '../db/database';
import { resolveSources } from './sources';

const UI_READ = { timeoutMs: 30_000 };

/**
 * Findings by severity per account and region, next to how many events each pair holds, so an
 * account with logs but no findings shows up too (and one with findings but missing logs).
 */
export async function accountsOverview(
  db: Database,
  archived: 'exclude' | 'include' | 'only',
): Promise<{ rows: AccountRow[] }> {
  const sources = (await resolveSources(db)).filter((s) => s.account !== null);
  const events = sources.length
    ? sources
        .map(
          (s) => `SELECT ${s.account} AS account_id, ${s.region ?? `'unknown'`} AS region, count(*) AS n
                    FROM ${s.source} t WHERE ${s.account} IS NOT NULL GROUP BY ALL`,
        )
        .join(' UNION ALL ')
    : `SELECT NULL::VARCHAR AS account_id, NULL::VARCHAR AS region, 0 AS n WHERE false`;
  const archivedWhere = archived === 'exclude' ? 'NOT archived' : archived === 'only' ? 'archived' : 'true';
  return {
    rows: await db.all<AccountRow>(
      `WITH f AS (
         SELECT account_id, region,
                count(*) FILTER (WHERE severity < 4) AS low,
                count(*) FILTER (WHERE severity >= 4 AND severity < 7) AS medium,
                count(*) FILTER (WHERE severity >= 7 AND severity < 9) AS high,
                count(*) FILTER (WHERE severity >= 9) AS critical,
                count(*) AS findings,
                max(last_seen) AS last_seen
           FROM findings WHERE ${archivedWhere} GROUP BY ALL
       ), e AS (
         SELECT account_id, coalesce(region, 'unknown') AS region, sum(n) AS events FROM (${events}) GROUP BY ALL
       )
       SELECT coalesce(f.account_id, e.account_id) AS "accountId", coalesce(f.region, e.region) AS region,
              coalesce(f.low, 0)::INTEGER AS "Low", coalesce(f.medium, 0)::INTEGER AS "Medium",
              coalesce(f.high, 0)::INTEGER AS "High", coalesce(f.critical, 0)::INTEGER AS "Critical",
              coalesce(f.findings, 0)::INTEGER AS findings, coalesce(e.events, 0)::DOUBLE AS events,
              iso_ts(f.last_seen) AS "lastSeen"
         FROM f FULL OUTER JOIN e ON f.account_id = e.account_id AND f.region = e.region
        ORDER BY "Critical" DESC, "High" DESC, "Medium" DESC, "Low" DESC, events DESC, "accountId", region`,
      undefined,
      UI_READ,
    ),
  };
}

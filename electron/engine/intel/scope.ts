import type { Database, QueryOptions } from '../db/database';

/**
 * Account scopes of lists (`intel.accounts`, NULL = every account), applied to a detection run's
 * hits in `detect_hits`. Rules join every list whatever its scope; the scope is judged here, once
 * per run, so no rule file has to repeat it.
 */

/**
 * Drops hits that matched a threat list only because of an entry scoped to other accounts. A hit
 * is one row per (event, list entry), so an event that also matched an in-scope list keeps that row.
 */
export async function dropOutOfScopeThreatHits(db: Database, options: QueryOptions = {}): Promise<number> {
  const before = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM detect_hits`, undefined, options);
  await db.run(
    `DELETE FROM detect_hits WHERE rowid IN (
       SELECT h.rowid FROM detect_hits h
         JOIN intel_lists s ON s.list_kind = 'threat' AND s.accounts IS NOT NULL AND s.list_name = h.threat_list_name
        WHERE NOT list_contains(s.accounts, h.account_id))`,
    undefined,
    options,
  );
  const after = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM detect_hits`, undefined, options);
  return (before?.n ?? 0) - (after?.n ?? 0);
}

/**
 * Trusted lists win over everything (GuardDuty: an entry on both lists is trusted): hits whose
 * remote address or queried domain is on a trusted list that applies to the hit's account are
 * dropped before aggregation. Addresses and names are judged once per distinct (value, account).
 * Returns how many hits were dropped.
 */
export async function suppressTrustedHits(db: Database, options: QueryOptions = {}): Promise<number> {
  const before = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM detect_hits`, undefined, options);
  await db.run(
    `DELETE FROM detect_hits WHERE rowid IN (
       WITH ips AS MATERIALIZED (
         SELECT ip, account_id, ip4_to_int(ip) AS n
           FROM (SELECT DISTINCT remote_ip AS ip, account_id FROM detect_hits WHERE remote_ip IS NOT NULL)
       ),
       trusted_ips AS (
         SELECT DISTINCT a.ip, a.account_id FROM ips a
           JOIN intel t ON t.list_kind = 'trusted' AND t.ip_start IS NOT NULL AND a.n BETWEEN t.ip_start AND t.ip_end
                       AND (t.accounts IS NULL OR list_contains(t.accounts, a.account_id))
       ),
       names AS (
         SELECT DISTINCT rtrim(lower(domain), '.') AS name, account_id FROM detect_hits WHERE domain IS NOT NULL
       ),
       trusted_names AS (
         SELECT DISTINCT d.name, d.account_id FROM names d
           JOIN intel t ON t.list_kind = 'trusted' AND t.domain IS NOT NULL
                       AND ((NOT t.wildcard AND d.name = t.domain) OR (t.wildcard AND ends_with(d.name, '.' || t.domain)))
                       AND (t.accounts IS NULL OR list_contains(t.accounts, d.account_id))
       )
       SELECT h.rowid FROM detect_hits h JOIN trusted_ips p ON p.ip = h.remote_ip AND p.account_id = h.account_id
       UNION
       SELECT h.rowid FROM detect_hits h JOIN trusted_names p ON p.name = rtrim(lower(h.domain), '.') AND p.account_id = h.account_id)`,
    undefined,
    options,
  );
  const after = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM detect_hits`, undefined, options);
  return (before?.n ?? 0) - (after?.n ?? 0);
}

import type { Database, QueryOptions } from '../../db/database';
import { AWS_NETWORK, networkSql, principalKeySql, uaFamilySql } from './sql-common';

/**
 * One pass over `cloudtrail` that the IAM and S3 analyzers share: every call by an identity
 * (AWS services acting as themselves and service events are not identities), with its
 * principal key, network (ASN), client family, tactic class and S3 class, plus first-seen
 * tables per principal and per account. First-seen times are causal by construction: the
 * earliest use of a value never moves when later events are added.
 */
export async function prepareCloudTrailFeatures(db: Database, q: QueryOptions): Promise<number> {
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_api_class AS
     WITH names AS (SELECT DISTINCT event_name FROM cloudtrail WHERE event_name IS NOT NULL)
     SELECT n.event_name,
            CASE WHEN t.event_name IS NOT NULL THEN t.tactic
                 ELSE (SELECT p.tactic FROM behaviour_api_prefixes p WHERE starts_with(n.event_name, p.prefix) ORDER BY p.ord LIMIT 1) END AS tactic,
            s.s3_class
       FROM names n
       LEFT JOIN behaviour_api_tactics t ON t.event_name = n.event_name
       LEFT JOIN behaviour_s3_classes s ON s.event_name = n.event_name`,
    undefined,
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_ip_network AS
     WITH ips AS (SELECT DISTINCT source_ip AS ip, ip4_to_int(source_ip) AS n FROM cloudtrail WHERE source_ip IS NOT NULL),
          a AS (SELECT ips.ip, any_value(r.asn) AS asn, any_value(r.org) AS org
                  FROM ips LEFT JOIN ip_asn r ON ips.n BETWEEN r.ip_start AND r.ip_end GROUP BY ips.ip)
     SELECT ip, ${networkSql('ip', 'asn')} AS network, org FROM a`,
    undefined,
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_ct AS
     SELECT * FROM (
       SELECT c.event_uid, c.event_time, date_trunc('day', c.event_time) AS day, hour(c.event_time)::INTEGER AS hod,
              coalesce(c.recipient_account_id, c.account_id, 'unknown') AS account_id, coalesce(c.aws_region, 'unknown') AS region,
              c.event_source, c.event_name, c.error_code, c.user_agent, c.source_ip, c.access_key_id, c.principal_id,
              coalesce(c.principal_name, c.principal_type) AS user_name, c.principal_type AS user_type,
              ${principalKeySql('c')} AS principal,
              coalesce(n.network, 'none') AS network, n.org,
              ${uaFamilySql('c.user_agent')} AS ua_family,
              k.tactic, k.s3_class, c.bucket_name, c.object_key,
              coalesce(c.event_category, 'Management') = 'Data' AS data_event
         FROM cloudtrail c
         LEFT JOIN behaviour_ip_network n ON n.ip = c.source_ip
         LEFT JOIN behaviour_api_class k ON k.event_name = c.event_name
        WHERE c.event_time IS NOT NULL AND c.event_uid IS NOT NULL AND c.event_name IS NOT NULL
          AND coalesce(c.event_type, 'AwsApiCall') <> 'AwsServiceEvent')
      WHERE principal IS NOT NULL`,
    undefined,
    q,
  );
  // First use of each value per principal and per account: the whole causal baseline. Calls
  // AWS made for the principal count as always seen (the epoch), so they are never novel.
  for (const [table, key, value] of [
    ['behaviour_fs_p_api', 'principal', 'event_name'],
    ['behaviour_fs_p_net', 'principal', 'network'],
    ['behaviour_fs_p_ua', 'principal', 'ua_family'],
    ['behaviour_fs_p_region', 'principal', 'region'],
    ['behaviour_fs_a_api', 'account_id', 'event_name'],
    ['behaviour_fs_a_net', 'account_id', 'network'],
    ['behaviour_fs_a_ua', 'account_id', 'ua_family'],
  ] as const) {
    await db.run(
      `CREATE OR REPLACE TABLE ${table} AS
       SELECT k, v, CASE WHEN $is_net AND v = $aws THEN TIMESTAMPTZ '1970-01-01 00:00:00+00' ELSE first_ts END AS first_ts
         FROM (SELECT ${key} AS k, ${value} AS v, min(event_time) AS first_ts FROM behaviour_ct GROUP BY ALL)`,
      { is_net: value === 'network', aws: AWS_NETWORK },
      q,
    );
  }
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_fs_principal AS SELECT principal AS k, min(event_time) AS first_ts FROM behaviour_ct GROUP BY ALL`,
    undefined,
    q,
  );
  // Daily roll-up for the explanations ("called 14 APIs on 9 days from 2 networks").
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_ct_daily AS
     SELECT principal, account_id, day, event_name, network, ua_family, region, any_value(org) AS org, count(*)::INTEGER AS n
       FROM behaviour_ct GROUP BY ALL`,
    undefined,
    q,
  );
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM behaviour_ct`, undefined, q);
  return row?.n ?? 0;
}
